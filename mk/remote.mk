# Remote management (issue 17). `make test` runs test/remote/*.test.ts (API, api-ssl and SSH with
# node-routeros, librouteros and OpenSSH); Ansible is its own target because ansible-playbook
# costs minutes on a loaded machine (2 min 50 s measured with two plays).
.PHONY: test-ansible

test-ansible: build
	@bash tools/install-deps.sh remote
	npx tap test/remote/ansible.check.ts
