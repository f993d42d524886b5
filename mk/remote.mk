# Remote management (issue 17). `make test` runs test/remote/*.test.ts (API, api-ssl and SSH with
# node-routeros, librouteros, OpenSSH and ansible-playbook); `make test-ansible` runs the Ansible
# file alone.
.PHONY: test-ansible

test-ansible: build
	@bash tools/install-deps.sh remote
	npx tap test/remote/ansible.test.ts
