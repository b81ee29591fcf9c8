"""The bench's batch summary: medians by report kind, and memory early vs late in a run."""

from types import SimpleNamespace as NS

from kit.bench import growth


def test_growth_compares_the_first_and_last_tenth_of_jobs_to_finish():
    # 20 jobs finishing in order i = 0..19: kind "a" on odd i, "b" on even i; a job's
    # seconds are i / 10 and memory high-water marks climb by 1 MB a job.
    results = [
        NS(
            job=NS(report="a" if i % 2 else "b"),
            seconds=i / 10,
            worker_peak_mb=100 + i,
            kernel_peak_mb=200 + i,
        )
        for i in range(20)
    ]
    g = growth(results)
    assert g["jobs_by_kind"] == {"b": 10, "a": 10}
    # b: 0.0, 0.2, ..., 1.8 -> median 0.9; a: 0.1, ..., 1.9 -> median 1.0
    assert g["job_seconds_median"] == {"b": 0.9, "a": 1.0}
    assert g["first_tenth"] == {"median_s": 0.05, "worker_peak_mb": 101, "kernel_peak_mb": 201}
    assert g["last_tenth"] == {"median_s": 1.85, "worker_peak_mb": 119, "kernel_peak_mb": 219}


def test_growth_of_a_tiny_run_uses_one_job_a_tenth():
    results = [
        NS(job=NS(report="a"), seconds=s, worker_peak_mb=None, kernel_peak_mb=300)
        for s in (1.0, 3.0)
    ]
    g = growth(results)
    assert g["first_tenth"] == {"median_s": 1.0, "worker_peak_mb": 0, "kernel_peak_mb": 300}
    assert g["last_tenth"]["median_s"] == 3.0


def test_verdicts_put_each_goal_beside_its_figure():
    from kit.bench import BUILD_GOALS, verdicts

    step = {"seconds": 30.0, "peak_mb": 3534, "facts_mb": 1172, **BUILD_GOALS}
    assert verdicts(step) == (
        "30.0 s (goal <= 30): PASS; 3534 MB peak (goal <= 2048): MISS; "
        "1172 MB facts file (goal <= 600): MISS"
    )
    assert verdicts({"seconds": 4.0, "peak_mb": 300}) == ""  # a step without goals
    # the MA import step carries only a time goal
    assert verdicts({"seconds": 31.2, "peak_mb": 900, "goal_seconds": 30}) == (
        "31.2 s (goal <= 30): MISS"
    )


def test_rendering_goals_pass_or_miss_from_what_was_measured():
    from kit.bench import rendering_goals

    assert rendering_goals({}) == []
    lines = rendering_goals(
        {
            "batch": {"speedup": 21.3},
            "state_sample": {"estimate_seconds": 1500.0, "kernel_peak_mb": 480},
        }
    )
    assert lines[0].startswith("PASS kit batch 21.3x")
    assert lines[1].startswith("MISS every report of the state in 25.0 min")
    assert lines[2].startswith("PASS kernel peak 480 MB")
    # a whole state batch: its wall time
    lines = rendering_goals(
        {
            "batch": {"speedup": 10.8},
            "state_batch": {
                "job_seconds_median": {"a": 0.5, "b": 1.0},
                "jobs_by_kind": {"a": 1800, "b": 900},
                "seconds": 2710.4,
                "kernel_peak_mb": 1304,
            },
        }
    )
    assert lines[0].startswith("MISS kit batch 10.8x")
    assert lines[1].startswith("MISS every report of the state in 45.2 min")
    assert lines[2].startswith("MISS kernel peak 1304 MB")


def test_pdf_summary_gives_medians_by_kind_against_the_goal_and_a_state_estimate():
    from kit.bench import PDF_GOAL_SECONDS, STATE_REPORTS, pdf_summary

    samples = [
        # report, level, HTML job s, PDF CPU s, PDF wall s
        ("subgroups", "school", 1.0, 0.3, 0.4),
        ("subgroups", "school", 1.0, 0.5, 0.6),
        ("subgroups", "district", 1.0, 0.9, 1.0),
        ("index", "school", 2.0, 0.6, 0.8),
    ]
    s = pdf_summary(samples)
    assert s["goal_seconds"] == PDF_GOAL_SECONDS == 0.5
    assert s["kinds"]["subgroups"] == {
        "reports": 3,
        "cpu_median": 0.5,
        "cpu_max": 0.9,
        "wall_median": 0.6,
        "pass": True,
    }
    assert s["kinds"]["index"]["pass"] is False
    assert s["html_plus_pdf_per_report"] == {
        "subgroups/school": 1.5,
        "subgroups/district": 2.0,
        "index/school": 2.8,
    }
    # 1,800 school subgroups at 1.5 s, 72 district ones at 2.0 s, 1,800 index at 2.8 s
    expected = (1800 * 1.5 + 72 * 2.0 + 1800 * 2.8) / 2 / 3600
    assert s["state_estimate_hours_2_workers"] == round(expected, 2)
    assert s["state_reports"] == sum(STATE_REPORTS.values()) == 5616


def test_the_floor_sums_every_response_once_per_group_and_copies_every_table(
    demo_dir, facts_path, tmp_path
):
    import duckdb

    from kit.bench_floor import floor_lines, floor_wall, measure_floor

    floor = measure_floor(demo_dir, facts_path, tmp_path / "copy.duckdb")
    # Every response counts once in each of its student's groups at its school: the school
    # rows of item_stats hold the same response x group count in their n.
    with duckdb.connect(str(facts_path), read_only=True) as con:
        expected = con.execute(
            "SELECT sum(n) FROM item_stats WHERE entity_type = 'school'"
        ).fetchone()[0]
    assert floor["response_group_rows"] == expected > 0
    assert [s["step"] for s in floor["steps"]] == [
        "read the input files (no checks)",
        "item pass: students' totals and groups",
        "item pass: responses x groups, the kit's 25 sums",
        "item pass: responses x groups, 2 sums",
        "write: the finished store copied to a new file",
    ]
    # the copy holds the same tables, so about the store's size; the scratch file is gone
    assert 0.5 * floor["facts_mb"] <= floor["copy_mb"] <= 1.5 * floor["facts_mb"] + 1
    assert not (tmp_path / "copy.duckdb").exists()
    walls = [s["wall"] for s in floor["steps"]]
    assert floor_wall(floor) == round(walls[0] + walls[1] + walls[2] + walls[4], 1)
    assert floor_lines(floor)[-1].endswith(f"{floor_wall(floor)} s wall")
