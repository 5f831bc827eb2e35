"""ytclaims.toml -> Config -> Prefect deployment, without a Prefect server.

Expectations come from the TOML text and the file system (parsed here with tomllib and
yaml), never from ytclaims itself. ``Flow.to_deployment`` only builds an object, so the
schedule and parameters a server would receive are checked here in milliseconds.
"""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import REPO
from typer.testing import CliRunner

from flows.schedule import deployment_kwargs, to_deployment
from ytclaims.cli import app
from ytclaims.config import Config, load_config
from ytclaims.errors import ConfigError, YtclaimsError

FULL = """
db = "out/wh.duckdb"
notes = ["notes", "more/one.md"]
captions = ["caps"]
videos = ["dQw4w9WgXcQ", "https://youtu.be/jNQXAC9IVRw"]
video_lists = ["lists/videos.txt"]
languages = ["de", "en"]
tag = false
prune = true
taxonomy = "tax.toml"
workers = 3

[schedule]
cron = "30 5 * * 1-5"
timezone = "Europe/Berlin"

[deployment]
name = "nightly"
"""


def project(tmp_path: Path, text: str = FULL) -> Path:
    """A project folder with every path FULL names, and the config file in it."""
    for d in ("notes", "caps", "more", "lists"):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
    (tmp_path / "more" / "one.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (tmp_path / "lists" / "videos.txt").write_text("dQw4w9WgXcQ\n", encoding="utf-8")
    (tmp_path / "tax.toml").write_text("", encoding="utf-8")
    cfg = tmp_path / "ytclaims.toml"
    cfg.write_text(textwrap.dedent(text), encoding="utf-8")
    return cfg


def test_every_field_is_read_and_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg_file = project(tmp_path / "proj")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative paths must not depend on the current folder
    cfg = load_config(Path("..") / "proj" / "ytclaims.toml")
    raw = tomllib.loads(cfg_file.read_text(encoding="utf-8"))
    base = cfg_file.parent
    assert cfg.path == cfg_file.absolute()
    assert cfg.db == base / raw["db"]
    assert cfg.notes == tuple(base / p for p in raw["notes"])
    assert cfg.captions == tuple(base / p for p in raw["captions"])
    assert cfg.video_lists == tuple(base / p for p in raw["video_lists"])
    assert cfg.videos == tuple(raw["videos"])
    assert cfg.languages == tuple(raw["languages"])
    assert cfg.tag is raw["tag"]
    assert cfg.prune is raw["prune"]
    assert cfg.taxonomy == base / raw["taxonomy"]
    assert cfg.workers == raw["workers"]
    assert (cfg.schedule.cron, cfg.schedule.timezone) == (
        raw["schedule"]["cron"],
        raw["schedule"]["timezone"],
    )
    assert cfg.deployment.name == raw["deployment"]["name"]
    assert cfg.ingest_paths == [str(base / p) for p in (*raw["notes"], *raw["captions"])]
    assert cfg.fetch_settings() == {
        "languages": raw["languages"],
        "cache_dir": str((base / raw["db"]).parent / "transcripts"),
    }


def test_defaults(tmp_path: Path) -> None:
    (tmp_path / "n").mkdir()
    cfg = load_config(project(tmp_path, 'db = "w.duckdb"\nnotes = ["n"]\n'))
    assert cfg == Config(
        path=tmp_path / "ytclaims.toml", db=tmp_path / "w.duckdb", notes=(tmp_path / "n",)
    )
    assert cfg.languages == ("en",)
    assert (cfg.schedule.cron, cfg.schedule.timezone) == (None, "UTC")
    assert cfg.deployment.name == "keep-current"
    assert cfg.tag is True and cfg.taxonomy is None and cfg.workers is None
    assert cfg.prune is False
    assert not cfg.has_videos and cfg.captions == ()


def test_config_is_frozen(tmp_path: Path) -> None:
    cfg = load_config(project(tmp_path))
    with pytest.raises(AttributeError):
        cfg.db = tmp_path  # type: ignore[misc]


def test_the_repository_example_loads_and_points_at_real_folders() -> None:
    example = REPO / "ytclaims.toml"
    raw = tomllib.loads(example.read_text(encoding="utf-8"))
    cfg = load_config(example)
    assert cfg.notes == (REPO / "examples" / "notes",)
    assert all(p.is_dir() for p in (*cfg.notes, *cfg.captions)) and cfg.captions
    assert any(p.suffix in (".vtt", ".srt", ".json3") for c in cfg.captions for p in c.rglob("*"))
    assert cfg.schedule.cron == raw["schedule"]["cron"]
    assert len(cfg.schedule.cron.split()) == 5


# --- every error says what is wrong and what to do -----------------------------------

BAD = [
    ("not toml", "db = \n", ["not valid TOML", "line 1"]),
    ("unknown key", 'db = "w"\nnote = ["notes"]\n', ["unknown key 'note'", "Did you mean 'notes'"]),
    (
        "unknown key in a table",
        'db = "w"\nnotes = ["notes"]\n[schedule]\ntimezon = "UTC"\n',
        ["unknown key 'schedule.timezon'", "'schedule.timezone'"],
    ),
    ("db missing", 'notes = ["notes"]\n', ["'db' is missing", 'db = "warehouse/ytclaims.duckdb"']),
    ("db not a string", 'db = 3\nnotes = ["notes"]\n', ["'db' must be a non-empty string"]),
    ("list given as string", 'db = "w"\nnotes = "notes"\n', ["'notes' must be a list", "[ ]"]),
    ("list of non-strings", 'db = "w"\nnotes = [1]\n', ["'notes' must be a list"]),
    (
        "tag as string",
        'db = "w"\nnotes = ["notes"]\ntag = "yes"\n',
        ["'tag' must be true or false"],
    ),
    (
        "prune as number",
        'db = "w"\nnotes = ["notes"]\nprune = 1\n',
        ["'prune' must be true or false"],
    ),
    ("workers zero", 'db = "w"\nnotes = ["notes"]\nworkers = 0\n', ["'workers'", "at least 1"]),
    ("workers bool", 'db = "w"\nnotes = ["notes"]\nworkers = true\n', ["'workers'"]),
    (
        "notes missing on disk",
        'db = "w"\nnotes = ["nope"]\n',
        ["'notes' names", "nope", "not a file or folder"],
    ),
    (
        "video list is a folder",
        'db = "w"\nvideo_lists = ["notes"]\n',
        ["'video_lists'", "not a file"],
    ),
    (
        "taxonomy missing",
        'db = "w"\nnotes = ["notes"]\ntaxonomy = "t.toml"\n',
        ["'taxonomy'", "t.toml"],
    ),
    (
        "bad video",
        'db = "w"\nvideos = ["https://vimeo.com/1"]\n',
        ["'videos'", "vimeo", "not a YouTube"],
    ),
    (
        "bad language",
        'db = "w"\nnotes = ["notes"]\nlanguages = ["e n"]\n',
        ["'languages'", "'e n'"],
    ),
    ("no languages", 'db = "w"\nnotes = ["notes"]\nlanguages = []\n', ["'languages' is empty"]),
    (
        "nothing to do",
        'db = "w"\nnotes = []\n',
        ["nothing to keep current", "notes, captions, videos"],
    ),
    (
        "schedule not a table",
        'db = "w"\nnotes = ["notes"]\nschedule = "0 6 * * *"\n',
        ["'schedule' must be a table", "[schedule]"],
    ),
    (
        "cron out of range",
        'db = "w"\nnotes = ["notes"]\n[schedule]\ncron = "61 * * * *"\n',
        ["'schedule.cron'", "'61 * * * *'", "five fields"],
    ),
    (
        "cron too short",
        'db = "w"\nnotes = ["notes"]\n[schedule]\ncron = "0 6 * *"\n',
        ["'schedule.cron'", "'0 6 * *'"],
    ),
    (
        "hashed cron",
        'db = "w"\nnotes = ["notes"]\n[schedule]\ncron = "H 6 * * *"\n',
        ["'schedule.cron'"],
    ),
    (
        "bad time zone",
        'db = "w"\nnotes = ["notes"]\n[schedule]\ncron = "0 6 * * *"\ntimezone = "Mars/Olympus"\n',
        ["'schedule.timezone'", "Mars/Olympus", "IANA"],
    ),
    (
        "slash in name",
        'db = "w"\nnotes = ["notes"]\n[deployment]\nname = "a/b"\n',
        ["'deployment.name'", "'a/b'"],
    ),
]


@pytest.mark.parametrize(("case", "text", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_config_names_the_problem(
    tmp_path: Path, case: str, text: str, fragments: list[str]
) -> None:
    cfg = project(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    message = str(err.value)
    assert str(cfg) in message  # which file
    for fragment in fragments:
        assert fragment in message, (case, message)
    assert err.value.kind == "config"


def test_missing_and_folder_config_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist.*--config"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


# --- the deployment -------------------------------------------------------------------


def test_deployment_has_exactly_the_configured_schedule_and_parameters(tmp_path: Path) -> None:
    cfg_file = project(tmp_path)
    raw = tomllib.loads(cfg_file.read_text(encoding="utf-8"))
    dep = to_deployment(load_config(cfg_file))
    assert dep.name == raw["deployment"]["name"]
    assert dep.flow_name == "update"
    assert dep.entrypoint == "flows.update.update"  # importable from any working directory
    assert dep.parameters == {"config": str(cfg_file.absolute())}
    assert dep.work_pool_name is None  # served by `ytclaims serve`, not a work pool
    assert len(dep.schedules) == 1
    sched = dep.schedules[0]
    assert sched.active
    assert sched.schedule.cron == raw["schedule"]["cron"]
    assert sched.schedule.timezone == raw["schedule"]["timezone"]
    assert sched.parameters == {}


def test_no_cron_means_no_deployment(tmp_path: Path) -> None:
    (tmp_path / "n").mkdir()
    cfg = load_config(project(tmp_path, 'db = "w"\nnotes = ["n"]\n'))
    with pytest.raises(ConfigError, match="schedule.cron.*--run-once"):
        deployment_kwargs(cfg)


def _values(node: object) -> list[object]:
    if isinstance(node, dict):
        return [v for x in node.values() for v in _values(x)]
    if isinstance(node, list):
        return [v for x in node for v in _values(x)]
    return [node]


def test_prefect_yaml_takes_config_and_schedule_from_ytclaims_toml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One source of truth: prefect.yaml names ytclaims.toml once (its build step's input)
    and takes the cron, time zone and config path from it, as `prefect deploy` resolves
    them (the step is called and its outputs applied with Prefect's own templating)."""
    import importlib

    from prefect.utilities.templating import apply_values

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    cfg = load_config(REPO / "ytclaims.toml")
    (dep,) = spec["deployments"]
    # Nothing the config holds is written into the deployment itself...
    values = [v for v in _values(dep) if isinstance(v, str)]
    assert cfg.schedule.cron not in values and cfg.schedule.timezone not in values
    assert not [v for v in values if "ytclaims.toml" in v]
    assert [v for v in _values(spec) if v == "ytclaims.toml"] == ["ytclaims.toml"]
    # ...the build step reads it, run from the repository root as `prefect deploy` is.
    monkeypatch.chdir(REPO)
    outputs: dict[str, object] = {"project-dir": {"stdout": str(REPO), "stderr": ""}}
    for step in spec["build"]:
        ((fqn, inputs),) = step.items()
        if fqn.startswith("prefect."):
            continue
        module, func = fqn.rsplit(".", 1)
        kwargs = {k: v for k, v in inputs.items() if k not in ("id", "requires")}
        outputs[inputs["id"]] = getattr(importlib.import_module(module), func)(**kwargs)
    resolved = apply_values(dep, outputs)
    assert resolved["parameters"] == {"config": str(cfg.path)}
    (sched,) = resolved["schedules"]
    assert (sched["cron"], sched["timezone"]) == (cfg.schedule.cron, cfg.schedule.timezone)
    assert "{{" not in repr(resolved)
    # The name selects the deployment before any step runs, so it is written in both files.
    assert dep["name"] == cfg.deployment.name
    path, func = dep["entrypoint"].split(":")
    assert (REPO / path).is_file() and f"def {func}(" in (REPO / path).read_text("utf-8")
    assert dep["work_pool"]["name"] == "ytclaims"
    (pull,) = spec["pull"]
    directory = pull["prefect.deployments.steps.set_working_directory"]["directory"]
    step_ids = [s[next(iter(s))].get("id") for s in spec["build"]]
    assert directory.strip("{} ").split(".")[0] in step_ids


def test_deploy_settings_refuses_a_config_without_cron(tmp_path: Path) -> None:
    from flows.schedule import deploy_settings

    (tmp_path / "n").mkdir()
    with pytest.raises(ConfigError, match="schedule.cron"):
        deploy_settings(str(project(tmp_path, 'db = "w"\nnotes = ["n"]\n')))


# --- the CLI command, with Prefect's serve replaced (it would block) ------------------


@pytest.fixture
def fake_serve(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    from flows.update import update

    calls: list[dict] = []
    monkeypatch.setattr(update, "serve", lambda **kw: calls.append(kw))
    return calls


def test_serve_command_serves_the_configured_deployment(tmp_path: Path, fake_serve) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    cfg_file = project(tmp_path)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        r = CliRunner().invoke(app, ["serve", "--config", str(cfg_file)])
    assert r.exit_code == 0, r.output
    (kw,) = fake_serve
    assert kw["name"] == "nightly" and kw["parameters"] == {"config": str(cfg_file)}
    (sched,) = kw["schedules"]
    assert (sched.cron, sched.timezone) == ("30 5 * * 1-5", "Europe/Berlin")


def test_serve_without_a_server_refuses(tmp_path: Path, fake_serve) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        r = CliRunner().invoke(app, ["serve", "--config", str(project(tmp_path))])
    assert r.exit_code == 2
    assert "PREFECT_API_URL is not set" in r.output and "prefect server start" in r.output
    assert fake_serve == []


@pytest.mark.parametrize("extra", [[], ["--run-once"]])
def test_serve_command_reports_config_errors(tmp_path: Path, extra: list[str]) -> None:
    r = CliRunner().invoke(app, ["serve", "--config", str(tmp_path / "nope.toml"), *extra])
    assert r.exit_code == 2
    assert r.output.startswith("error: Config file") and "nope.toml does not exist" in r.output


def test_run_once_runs_the_update_flow_with_the_absolute_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.update

    calls: list[str] = []
    monkeypatch.setattr(flows.update, "update", lambda config: calls.append(config) or {"ok": 1})
    cfg_file = project(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["serve", "--config", "ytclaims.toml", "--run-once"])
    assert r.exit_code == 0, r.output
    assert calls == [str(cfg_file.absolute())]
    assert '"ok": 1' in r.stdout


def test_errors_are_ytclaims_errors() -> None:
    assert issubclass(ConfigError, YtclaimsError)
    assert ConfigError("x").message.startswith("x ")


def test_banned_name_characters_are_prefects() -> None:
    from prefect.types.names import BANNED_CHARACTERS

    from ytclaims.config import BANNED_CHARACTERS as ours

    assert tuple(BANNED_CHARACTERS) == ours
