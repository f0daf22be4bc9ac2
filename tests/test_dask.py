"""Builds on a Dask cluster (``--executor dask``) give the local executor's bytes.

A ``distributed.LocalCluster`` of two worker processes stands in for a
team's cluster. Dask is an optional extra (``pip install docbuild[dask]``):
without it these tests are skipped, or fail where validators are required
(``DOCBUILD_REQUIRE_VALIDATORS=1``, as in CI, whose setup installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import docbuild
from docbuild.cli import main
from docbuild.errors import DocbuildError
from docbuild.executors import _check_inputs, render_on_worker

try:
    import distributed
except ImportError:  # the optional extra is not installed
    distributed = None

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["txt", "pdf", "epub", "docx"]


def need_dask() -> None:
    if distributed is not None:
        return
    message = "dask[distributed] is not installed (pip install docbuild[dask])"
    if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
        pytest.fail(message + " (DOCBUILD_REQUIRE_VALIDATORS=1)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with two chapters: the example and Kazakhstan."""
    root = tmp_path_factory.mktemp("dask") / "project"
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    for chapter in ("example", "kazakhstan"):
        shutil.copytree(ROOT / "source" / chapter, root / "source" / chapter)
    return root


@pytest.fixture(scope="module")
def client():
    need_dask()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_dask_and_local_executors_give_the_same_bytes(sample: Path, client, tmp_path: Path):
    selection = dict(formats=FORMATS, langs=["en"], chapters=["example", "kazakhstan"])
    remote = docbuild.build(sample, tmp_path / "dask", executor="dask", scheduler=client, **selection)
    assert len(remote.rendered) == 8
    # The client filled the cache from the workers' bytes: the same build again renders nothing.
    again = docbuild.build(sample, tmp_path / "dask", **selection)
    assert again.rendered == ()
    local = docbuild.build(sample, tmp_path / "local", cache=False, **selection)
    assert len(local.rendered) == 8

    dask_files, local_files = _files(tmp_path / "dask"), _files(tmp_path / "local")
    assert sorted(dask_files) == sorted(
        f"{chapter}-en.{fmt}" for chapter in ("example", "kazakhstan") for fmt in FORMATS
    )
    assert sorted(dask_files) == sorted(local_files)
    different = [name for name in dask_files if dask_files[name] != local_files[name]]
    assert not different, f"the Dask build differs from the local one in {different}"


def test_a_client_can_be_passed_as_the_executor(sample: Path, client, tmp_path: Path):
    result = docbuild.build(sample, tmp_path, ["txt"], ["en"], ["example"], cache=False, executor=client)
    assert [path.name for path in result.rendered] == ["example-en.txt"]


def test_cli_builds_on_the_scheduler(sample: Path, client, tmp_path: Path, capsys: pytest.CaptureFixture):
    address = client.scheduler.address
    status = main(["--project", str(sample), "build", "--executor", "dask", "--scheduler", address,
                   "--chapter", "example", "--format", "txt", "--format", "docx", "--no-cache", "--out", str(tmp_path)])
    assert status == 0, capsys.readouterr().err
    assert {"example-en.txt", "example-en.docx"} <= set(_files(tmp_path))
    assert "example-en.docx (built)" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("address", [f"tcp://127.0.0.1:{_free_port()}", "no-port-here"])
def test_an_unreachable_scheduler_is_one_line(sample: Path, tmp_path: Path, address: str):
    need_dask()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    done = subprocess.run(
        [sys.executable, "-m", "docbuild.cli", "--project", str(sample), "build", "--executor", "dask",
         "--scheduler", address, "--chapter", "example", "--format", "txt", "--no-cache", "--out", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("docbuild: error: "), done.stderr
    assert address in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "example-en.txt").exists()


def test_a_scheduler_without_workers_is_an_error(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    need_dask()
    monkeypatch.setenv("DOCBUILD_DASK_WORKER_TIMEOUT", "1")
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        with pytest.raises(DocbuildError, match="has no workers: start some with `dask worker"):
            docbuild.build(sample, tmp_path, ["txt"], ["en"], ["example"], cache=False,
                           executor="dask", scheduler=cluster.scheduler_address)


def test_dask_not_installed_is_one_clear_error(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(DocbuildError, match=r"pip install docbuild\[dask\]") as caught:
        docbuild.build(sample, tmp_path, ["txt"], ["en"], ["example"], cache=False,
                       executor="dask", scheduler="tcp://127.0.0.1:8786")
    assert "\n" not in str(caught.value)


def test_executor_arguments_are_checked(sample: Path, tmp_path: Path):
    with pytest.raises(DocbuildError, match="unknown executor 'ray'"):
        docbuild.build(sample, tmp_path, ["txt"], executor="ray")
    with pytest.raises(DocbuildError, match="--scheduler is for --executor dask"):
        docbuild.build(sample, tmp_path, ["txt"], scheduler="tcp://127.0.0.1:8786")


def test_a_worker_refuses_inputs_other_than_the_clients(sample: Path, monkeypatch: pytest.MonkeyPatch):
    """A worker that sees other files, code or libraries than the client fails the task, naming why."""
    from docbuild.plan import code_version, plan
    from docbuild.project import Project

    project = Project.at(sample)
    edition = SimpleNamespace(project=project, chapter=SimpleNamespace(id="example", lang="en"), paper="a4")
    keys = [job.key for job in plan(project, ["txt"], ["en"], ["example"], "a4")]
    _check_inputs(edition, ["txt"], keys, code_version())  # the same inputs: accepted
    with pytest.raises(DocbuildError, match="sees different inputs for example"):
        _check_inputs(edition, ["txt"], ["0" * 64], code_version())
    with pytest.raises(DocbuildError, match="runs a different docbuild"):
        _check_inputs(edition, ["txt"], ["0" * 64], "1" * 64)
    elsewhere = SimpleNamespace(**{**vars(edition), "project": Project(sample.parent / "not-here")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with pytest.raises(DocbuildError, match="cannot see the project folder"):
        render_on_worker(elsewhere, ["txt"], (keys, code_version()), "1600000000")
    # The client's SOURCE_DATE_EPOCH held only for the task: the worker's own is back.
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


@pytest.mark.parametrize("where", ["local", "dask"])
def test_a_refused_fetch_comes_back_as_its_error(sample: Path, client, tmp_path: Path, where: str):
    """distributed installs tblib's exception pickling, which follows __context__ and __cause__: a layout
    that points at the network must still come back from a worker as the one located error, not as a
    broken pool (the refusal and WeasyPrint's wrapper once referred to each other)."""
    project = tmp_path / "project"
    shutil.copytree(sample, project)
    css = project / "layouts" / "print.css.j2"
    css.write_text(css.read_text(encoding="utf-8") + '\nbody { background: url("http://example.org/bg.png"); }\n',
                   encoding="utf-8")
    options = {"executor": client} if where == "dask" else {"jobs": 2}
    with pytest.raises(DocbuildError, match="refusing to fetch 'http://example.org/bg.png'"):
        docbuild.build(project, tmp_path / "out", ["pdf"], ["en"], ["example", "kazakhstan"], cache=False, **options)
