"""Tasks of chunks sized by measured work, and the one-line errors of failed tasks."""

from hypothesis import given, strategies as st

from eqselect.theory.errors import GameError
from eqselect.studies.sweep.cluster import ClusterError
from eqselect.studies.sweep.tasks import TaskPlan, task_error


@given(st.lists(st.integers(0, 60), unique=True, min_size=1, max_size=40),
       st.floats(1e-4, 1.0), st.integers(1, 8), st.integers(1, 9))
def test_a_plan_sends_every_chunk_once_in_runs_of_about_the_target(missing, per_cell, workers,
                                                                   size):
    missing = sorted(missing)
    plan = TaskPlan(missing, lambda k: size, target=1.5)
    tasks = []
    while plan:
        task = plan.next_task(workers)
        tasks.append(task)
        plan.observe(size * len(task), per_cell * size * len(task))
    assert [k for t in tasks for k in t] == missing
    assert len(tasks[0]) == 1  # nothing measured yet: one chunk
    for t in tasks[1:]:
        assert list(t) == list(range(t[0], t[0] + len(t)))  # consecutive chunks
        assert len(t) == 1 or len(t) * size * per_cell <= 1.5 + 1e-9


def test_the_median_cost_leaves_a_slow_first_task_out():
    plan = TaskPlan(range(100), lambda k: 10, target=1.0)
    plan.next_task()
    plan.observe(10, 5.0)  # compiling: 0.5 s a cell
    for _ in range(2):
        plan.next_task()
        plan.observe(10, 0.1)  # then 10 ms a cell
    assert len(plan.next_task(workers=1)) == 10  # 100 cells: 1 s at the median 10 ms


def test_no_task_takes_more_than_an_even_share_of_what_is_left():
    plan = TaskPlan(range(8), lambda k: 1, target=100.0)
    plan.next_task()
    plan.observe(1, 0.001)
    assert plan.next_task(workers=4) == (1, 2)  # 7 left over 4 workers: 2 each


def test_failed_tasks_become_one_line_errors():
    class KilledWorker(Exception):
        pass

    killed = task_error(KilledWorker("x"), (3, 4, 5))
    assert isinstance(killed, ClusterError) and "chunk 3-5" in str(killed)
    assert "rerun the same command to resume" in str(killed)
    missing = task_error(ModuleNotFoundError("No module named 'eqselect'"), (0,))
    assert "cannot import eqselect" in str(missing) and "chunk 0" in str(missing)
    game = GameError("bad game")
    assert task_error(game, (1,)) is game  # the user's error keeps its status 2
    other = task_error(ZeroDivisionError("boom"), (2,))
    assert str(other) == "a dask worker failed on chunk 2: ZeroDivisionError: boom"
