"""``qonys allocate``: solve a batch from a folder or a synthetic demo, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import fail


def allocate(
    scenario_dir: Annotated[
        str | None,
        typer.Argument(
            help="Folder of batch tables (CSV or Parquet), as the bulk import reads them."
        ),
    ] = None,
    demo: Annotated[
        int | None, typer.Option("--demo", help="Run on a generated programme of N households.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated programme.")] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the solver.")
    ] = 60.0,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the summary and placements here.")
    ] = None,
    deterministic: Annotated[
        bool, typer.Option(help="One worker, fixed seed: repeatable objective.")
    ] = False,
    synthetic: Annotated[
        bool,
        typer.Option(
            "--synthetic",
            help="With --demo: the solver benchmark's abstract batch instead of a generated programme.",
        ),
    ] = False,
) -> None:
    """Run an allocation batch with a progress bar and print its proof of quality."""
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from api.allocation.report import report
    from api.allocation.scenario import ScenarioError, load_scenario_dir
    from matching.allocation import AllocationConfig
    from matching.allocation import allocate as run_allocation

    if (scenario_dir is None) == (demo is None):
        raise fail("give a SCENARIO_DIR or --demo N (one of them)", 2)
    if time_limit <= 0:
        raise fail("--time-limit must be positive", 2)
    try:
        if demo is not None:
            if demo < 1:
                raise fail("--demo needs a positive number of households", 2)
            from api.allocation.scenario import demo_batch

            if synthetic:
                from matching.synthetic.batch import generate_programme

                programme = generate_programme(n_households=demo, seed=seed)
                instance, movers = programme.instance(), programme.earlier_movers
            else:
                instance, movers = demo_batch(demo, seed=seed)
        else:
            assert scenario_dir is not None
            instance, movers = load_scenario_dir(Path(scenario_dir))
    except ScenarioError as exc:
        raise fail(str(exc)) from exc
    config = AllocationConfig(
        time_limit=time_limit, deterministic=deterministic, seed=seed, earlier_movers=movers
    )
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
        console=_stderr_console(),
        transient=False,
    ) as bar:
        task = bar.add_task("allocating", total=1.0, message="")

        def on_progress(phase: str, fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=phase, message=message)

        result = run_allocation(instance, config, progress=on_progress)
    full = report(result)
    summary = full["summary"]
    typer.echo(
        f"status {summary['status']} ({summary['method']}): objective {summary['objective']}, "
        f"bound {summary['best_bound']}, gap {100 * summary['gap']:.3f} %, {summary['wall_seconds']} s"
    )
    typer.echo(
        f"placed {summary['households_placed']} of {summary['households']} households; "
        f"greedy {summary['greedy_objective']} (optimizer {_signed(summary['vs_greedy_pct'])}), "
        f"status quo {summary['status_quo_objective']} (optimizer {_signed(summary['vs_status_quo_pct'])})"
    )
    for part in (summary.get("unplaced_split") or {}).values():
        if part["households"]:
            typer.echo(f"  {part['text']['en']}")
            for rule, n in list(part.get("first_rule", {}).items())[:3]:
                typer.echo(f"    - first blocking rule {rule}: {n}")
            for row in part.get("rows", [])[:3]:
                typer.echo(f"    - {row['text']['en']}")
    if summary["conflict"]:
        typer.echo("planner constraints that cannot all hold (each set on its own):")
        for i, members in enumerate(summary["conflict"]["sets"], 1):
            typer.echo(f"  set {i}:")
            for member in members:
                typer.echo(f"    - {member['text']['en']}")
    if json_out:
        Path(json_out).write_text(
            json.dumps(full, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        typer.echo(f"written: {json_out}")
    if summary["status"] == "infeasible":
        raise typer.Exit(3)


def _signed(pct: float | None) -> str:
    return "n/a" if pct is None else f"{pct:+.2f} %"


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)
