# The rolling upgrade bench/vs-peers gives pyinfra 3: the same steps rollout's bench playbook and
# bench/vs-ansible.yml take, written with pyinfra's own operations. pyinfra runs every operation on every
# selected host before the next one and has no "rolling batch" setting of its own (`--parallel` only caps how
# many hosts run at once), so the rolling upgrade is one pyinfra run per 25% batch, as a pyinfra user writes it:
# bench/vs-pyinfra-rolling runs `pyinfra -y --no-wait --parallel <batch> --limit batchK inventory.py
# vs-pyinfra.py --data version=V` for K = 1, 2, ... and stops at the first batch that fails. The inventory
# (written by bench/vs-peers) puts each host in one group batchK and gives it `root` and `service_address`.
import shlex
import time
import urllib.request

from pyinfra import host
from pyinfra.operations import files, python, server

srv = host.data.root + "/srv"
version = host.data.version
release = f"{srv}/releases/{version}"

# Parent directories included (`mkdir -p`), as Ansible's `file: state=directory`.
files.directory(name="Create the release directory", path=release, mode="755")

# Every file of the local artifact/ directory (the demo service and a 10 MiB payload). `files.sync` gathers the
# remote files' SHA-1 first and uploads over SFTP only what differs, like Ansible's `copy`; mode 755 keeps the
# service binary executable.
files.sync(name="Upload the artifact into releases/<version>", src="artifact", dest=release, mode="755")

# A fresh relative symlink renamed over `current`: the same atomic switch rollout and the Ansible playbook make.
server.shell(
    name="Switch current to the new release atomically",
    commands=[
        f"ln -sfn {shlex.quote('releases/' + version)} {shlex.quote(srv + '/.current.tmp')}"
        f" && mv -T {shlex.quote(srv + '/.current.tmp')} {shlex.quote(srv + '/current')}"
    ],
)

# `ctl restart` returns once the new generation is ready (exit 0) or has failed (non-zero, which fails the host).
server.shell(
    name="Hot restart through the agent",
    commands=[f"{shlex.quote(srv + '/bin/rollout-agent')} ctl --socket {shlex.quote(srv + '/agent.sock')} restart"],
)


def wait_for_version(url, expected):
    """Polls `url` from the controller every 200 ms for up to 60 s until it answers 200 with X-Version: expected
    (rollout's http check does the same; no SSH round trip per attempt)."""
    deadline = time.monotonic() + 60
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = (response.status, response.headers.get("X-Version"))
                if last == (200, expected):
                    return
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise Exception(f"{url} did not serve {expected} within 60 s (last answer: {last})")


python.call(
    name="Health check until the new version answers",
    function=wait_for_version,
    url=f"http://{host.data.service_address}:{host.data.service_port}/",
    expected=version,
)
