"""A private single-node Slurm cluster for one test: munged, slurmctld and slurmd, started as root without
systemd, in the foreground so that their pids are ours to stop.

Everything it writes (configuration, munge key, state, spool, logs) is below one folder; its ports are
free ones found at start, so that a Slurm already on the machine is neither used nor disturbed.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scancel", "scontrol", "sinfo")
MUNGE_USER = "munge"
NODE = "grader-ci-node"
START_SECONDS = 60


class ClusterUnavailable(Exception):
    """Slurm cannot run here; the message says why (for the test's skip notice)."""


def why_unavailable():
    """None when a private cluster can start here, else the reason it cannot."""
    missing = [name for name in DAEMONS + CLIENTS if _program(name) is None]
    if missing:
        return f"Slurm is not installed ({', '.join(missing)} missing): apt-get install slurm-wlm munge"
    if os.geteuid() != 0:
        return "starting slurmd and munged needs root"
    try:
        pwd.getpwnam(MUNGE_USER)
    except KeyError:
        return f"no {MUNGE_USER} user to run munged as (the munge package creates it)"
    return None


class Cluster:
    """`with Cluster() as cluster:` a running cluster; `cluster.env` is the environment its clients need."""

    def __init__(self, cpus):
        self.cpus = cpus
        self.processes = {}

    def __enter__(self):
        # Not below pytest's tmp_path: that is private to root, and munged runs as the munge user.
        self.root = Path(tempfile.mkdtemp(prefix="bpgrade-slurm-"))
        self.root.chmod(0o755)
        self.env = {**os.environ, "SLURM_CONF": str(self.root / "slurm.conf")}
        for name in [n for n in self.env if n.startswith(("SLURM_", "SBATCH_", "SQUEUE_")) and n != "SLURM_CONF"]:
            del self.env[name]  # a test run inside a Slurm job must not submit to that job's cluster
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if "slurmctld" in self.processes and "slurmd" in self.processes:
            self._cancel_jobs()
        for name in reversed(DAEMONS):
            process = self.processes.pop(name, None)
            if process is not None:
                _stop(process)
        _wait_until(lambda: not self.left_running())  # slurmctld's helper (slurmscriptd) ends after it
        shutil.rmtree(self.root, ignore_errors=True)

    def left_running(self):
        """The pids of processes still running with this cluster's configuration: jobs, steps, daemons."""
        mark = f"SLURM_CONF={self.env['SLURM_CONF']}".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and mark in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:  # gone meanwhile, or a kernel thread
                continue
        return sorted(set(pids) - {os.getpid()})

    def _cancel_jobs(self):
        """A test that failed midway may leave jobs: cancel them and let their steps end before slurmd goes."""
        jobs = self.run("squeue", "-h", "-o", "%A", check=False).stdout.split()
        if jobs:
            self.run("scancel", *jobs, check=False)
        daemons = {process.pid for process in self.processes.values()}
        _wait_until(lambda: all(pid in daemons or _parent(pid) in daemons for pid in self.left_running()))

    def log(self, name):
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _start(self):
        munge = self.root / "munge"
        munge.mkdir(mode=0o755)  # munged wants its socket reachable by all
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        user = pwd.getpwnam(MUNGE_USER)
        for path in (munge, key):
            os.chown(path, user.pw_uid, user.pw_gid)
        self.socket = munge / "munge.socket"
        self._daemon("munged", [_program("munged"), "--foreground", f"--key-file={key}", f"--socket={self.socket}",
                                f"--pid-file={munge / 'munged.pid'}", f"--seed-file={munge / 'munged.seed'}",
                                f"--log-file={munge / 'munged.log'}"], user=MUNGE_USER, ready=self.socket.exists)
        for folder in ("state", "spool"):
            (self.root / folder).mkdir()
        (self.root / "slurm.conf").write_text(self._configuration())
        configuration = self.env["SLURM_CONF"]
        self._daemon("slurmctld", [_program("slurmctld"), "-D", "-f", configuration], ready=self._controller_answers)
        self._daemon("slurmd", [_program("slurmd"), "-D", "-f", configuration, "-N", NODE], ready=self._node_idle)

    def _configuration(self):
        controller, node = _free_ports(2)
        return "\n".join([
            "ClusterName=grader-ci",
            f"SlurmctldHost={socket.gethostname().split('.')[0]}(127.0.0.1)",
            f"SlurmctldPort={controller}",
            f"SlurmdPort={node}",
            "SlurmUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.socket}",
            f"StateSaveLocation={self.root / 'state'}",
            f"SlurmdSpoolDir={self.root / 'spool'}",
            f"SlurmctldPidFile={self.root / 'slurmctld.pid'}",
            f"SlurmdPidFile={self.root / 'slurmd.pid'}",
            f"SlurmctldLogFile={self.root / 'slurmctld.log'}",
            f"SlurmdLogFile={self.root / 'slurmd.log'}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_CPU",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "MpiDefault=none",
            "ReturnToService=2",
            "MinJobAge=3600",  # finished jobs stay in squeue (there is no accounting database for sacct)
            "SlurmdParameters=config_overrides",  # the node has the CPUs said here, whatever the machine has
            f"NodeName={NODE} NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN",
            "PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            "",
        ])

    def _daemon(self, name, command, ready, user=None):
        log = open(self.root / f"{name}.out", "wb")
        with log:
            self.processes[name] = subprocess.Popen(command, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                                    stderr=subprocess.STDOUT, user=user, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            if self.processes[name].poll() is not None or time.monotonic() > deadline:
                output = (self.root / f"{name}.out").read_text(errors="replace")
                raise ClusterUnavailable(f"{name} did not start: {output[-2000:]}{self.log(name)[-2000:]}")
            time.sleep(0.2)

    def _controller_answers(self):
        return self.run("scontrol", "ping", check=False).returncode == 0

    def _node_idle(self):
        state = self.run("sinfo", "-h", "-n", NODE, "-o", "%t", check=False).stdout.strip()
        return state in ("idle", "mix", "alloc")

    def run(self, *command, check=True, cwd=None, timeout=60, env=()):
        """A Slurm client command against this cluster."""
        program = command[0] if os.sep in command[0] else _program(command[0]) or command[0]
        return subprocess.run([program, *command[1:]], env={**self.env, **dict(env)}, cwd=cwd, capture_output=True,
                              text=True, check=check, timeout=timeout)


def _program(name):
    """Where a Slurm or munge command is: the daemons are in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name, path=os.environ.get("PATH", os.defpath) + os.pathsep + "/usr/sbin")


def _free_ports(count):
    """Ports that are free now, chosen by the kernel: the daemons bind them a moment later."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _stop(process):
    """SIGTERM to the daemon we started, by its pid; SIGKILL if it has not gone within 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _wait_until(done, seconds=30):
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)
