# Firmware image targets (see README section "firmware").
#   make image [BOARD=raspberrypi4|raspberrypi3|qemu-virt]   -> out/pptp-router-<board>.img.xz
#   make boot-test       boots the qemu-virt image in qemu-system-aarch64 and drives its console
#   make image-all       every board
FIRMWARE_BOARD ?= $(if $(BOARD),$(BOARD),raspberrypi4)
FIRMWARE_BOARDS := raspberrypi4 raspberrypi3 qemu-virt

.PHONY: image image-all boot-test firmware-clean

image: $(NODE_MODULES_STAMP) native-arm64
	bash firmware/build-image.sh $(FIRMWARE_BOARD)

image-all: $(NODE_MODULES_STAMP) native-arm64
	@for b in $(FIRMWARE_BOARDS); do bash firmware/build-image.sh $$b || exit 1; done

# Builds the qemu-virt and raspberrypi3 images when they are missing; BOOT_TEST_REBUILD=1
# re-assembles them (after a daemon change).
boot-test: $(NODE_MODULES_STAMP) native-arm64
	@bash tools/install-deps.sh firmware
	@for b in qemu-virt raspberrypi3; do \
	  if [ ! -f out/pptp-router-$$b.img ] || [ -n "$(BOOT_TEST_REBUILD)" ]; then bash firmware/build-image.sh $$b || exit 1; fi; \
	done
	# --jobs=1: one emulated machine at a time (each wants both cores; in parallel they only slow each other).
	npx tap --jobs=1 --timeout=900 test/firmware/*.test.ts

firmware-clean:
	rm -rf out/build out/*.img out/*.img.xz out/*.bmap out/*.sha256
