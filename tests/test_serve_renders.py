"""The service's bounded render queue (issue 27 item 4, reports under load): one wijkrapport
rendered at a time per process, a few waiting in arrival order, 503 with ``Retry-After`` at
once beyond them, and a report being rendered rendered once for every request that asks for
it meanwhile."""

from __future__ import annotations

import threading
import time

import pytest

import factormodel as fm

pytest.importorskip("fastapi", reason="the serve extra is not installed")
pytest.importorskip("multipart", reason="the serve extra is not installed (python-multipart)")
from fastapi.testclient import TestClient

from factormodel.errors import InvalidParameterError
from factormodel.serve import create_app, service
from factormodel.serve.renders import Busy, RenderQueue
from factormodel.serve.service import RequestError, Workspace

API = "/api/v1"


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_the_queue_takes_turns_in_order_and_refuses_beyond_its_bound():
    queue = RenderQueue(waiting=2)
    release = threading.Event()
    order: list[str] = []

    def render(name: str) -> None:
        with queue.slot():
            order.append(name)
            release.wait(10)

    first = threading.Thread(target=render, args=("first",))
    first.start()
    wait_until(lambda: queue.busy == (1, 0))
    waiting = []
    for n, name in enumerate(("second", "third"), 1):  # arrive and wait in this order
        waiting.append(threading.Thread(target=render, args=(name,)))
        waiting[-1].start()
        wait_until(lambda n=n: queue.busy == (1, n))
    start = time.monotonic()
    with pytest.raises(Busy) as refused, queue.slot():  # full: told at once, not after a wait
        pass
    assert time.monotonic() - start < 0.5
    assert refused.value.retry_after >= 3  # three renders of about 1 s ahead (first estimate)
    assert (refused.value.rendering, refused.value.waiting) == (1, 2)
    release.set()
    for t in (first, *waiting):
        t.join(10)
    assert order == ["first", "second", "third"] and queue.busy == (0, 0)
    assert queue.seconds_per_render < 1.0  # learnt from the renders it timed
    with pytest.raises(ValueError, match="slots >= 1 and waiting >= 0"):
        RenderQueue(waiting=-1)


def test_a_slot_is_given_back_when_the_render_fails():
    queue = RenderQueue(waiting=0)
    with pytest.raises(KeyError), queue.slot():
        raise KeyError("boom")
    with queue.slot():
        assert queue.busy == (1, 0)


@pytest.fixture()
def fake_report(monkeypatch):
    """service.report replaced by a render that waits for ``release`` (and counts calls)."""
    calls: list[str] = []
    release = threading.Event()

    def render(model, data, area, goals, **kwargs):
        calls.append(area)
        release.wait(10)
        if area == "Nergenshuizen":
            raise fm.errors.UnknownAreaError("area 'Nergenshuizen' not found")
        return f"<html>{area}</html>"

    monkeypatch.setattr(service, "report", render)
    monkeypatch.setattr(service, "_REPORTS", type(service._REPORTS)())
    return calls, release


ARGS = {"budget": None, "lang": "nl", "n_draws": 100}


def test_requests_for_a_report_in_flight_share_its_render(fake_report):
    calls, release = fake_report
    m, data = fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam")
    queue = RenderQueue(waiting=0)
    answers: list[object] = []

    def ask(area: str) -> None:
        try:
            answers.append(service.wijkrapport(m, data, area, {"vsv": 1.0}, **ARGS,
                                               queue=queue))
        except Exception as exc:  # the test compares what each one got
            answers.append(exc)

    threads = [threading.Thread(target=ask, args=("Rubroek",)) for _ in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: calls == ["Rubroek"] and service._RENDERING)
    time.sleep(0.05)  # the other three are waiting for that render, not queued behind it
    assert queue.busy == (1, 0)
    # another report now: the one slot is taken and nothing may wait -> 503 at once
    with pytest.raises(RequestError) as busy:
        service.wijkrapport(m, data, "Kralingen-West", {"vsv": 1.0}, **ARGS, queue=queue)
    assert busy.value.status == 503 and busy.value.error == "busy"
    assert int(busy.value.headers["Retry-After"]) >= 1
    assert "opnieuw" in busy.value.detail  # Dutch, as the report asked for
    release.set()
    for t in threads:
        t.join(10)
    assert answers == ["<html>Rubroek</html>"] * 4 and calls == ["Rubroek"]
    assert not service._RENDERING and len(service._REPORTS) == 1


def test_an_error_of_a_render_in_flight_reaches_every_request_for_it(fake_report):
    calls, release = fake_report
    m, data = fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam")
    got: list[object] = []

    def ask() -> None:
        try:
            service.wijkrapport(m, data, "Nergenshuizen", {"vsv": 1.0}, **ARGS)
        except fm.errors.UnknownAreaError as exc:
            got.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    wait_until(lambda: len(calls) == 1)
    time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(10)
    assert len(got) == 3 and calls == ["Nergenshuizen"]
    assert not service._RENDERING and not service._REPORTS  # an error is not kept


def test_a_full_queue_is_a_503_with_retry_after_on_the_api_and_the_page():
    service._REPORTS.clear()  # a report another test rendered is answered from the cache
    app = create_app(reports_waiting=0)
    queue = app.state.workspace.renders
    assert queue.process  # the service renders in a render process of its own
    body = {"area": "Oud-Crooswijk", "outcomes": {"vsv": 1}, "n_draws": 50}
    with TestClient(app) as client:  # leaving it stops the render process (lifespan)
        with queue.slot():  # a report being rendered in this process
            r = client.post(f"{API}/models/rotterdam-jeugd/report", json=body)
            assert r.status_code == 503 and r.json()["error"] == "busy"
            assert int(r.headers["retry-after"]) >= 1
            form = {"model": "rotterdam-jeugd", "dataset": "example", "area": "Oud-Crooswijk",
                    "outcome": "vsv", "priority_vsv": "1", "top": "3", "lang": "nl",
                    "action": "report"}
            page = client.post("/", data=form)
            assert page.status_code == 503 and int(page.headers["retry-after"]) >= 1
            assert "vraag het rapport over" in page.text  # said on the page, in Dutch
            assert client.post(f"{API}/models/rotterdam-jeugd/recommend",
                               json={"area": "Oud-Crooswijk", "outcomes": {"vsv": 1}}
                               ).status_code == 200  # only reports queue
        r = client.post(f"{API}/models/rotterdam-jeugd/report", json=body)
        assert r.status_code == 200  # rendered in the render process
        m, data = fm.load_model("rotterdam-jeugd"), fm.load_example_data("rotterdam")
        assert r.text == str(fm.report(m, data, "Oud-Crooswijk", {"vsv": 1}, n_draws=50,
                                       budget=None, lang="nl"))
    assert queue._pool is None


def test_a_model_pickles_whole_for_the_render_process():
    import pickle

    m = fm.load_model("rotterdam-jeugd")
    again = pickle.loads(pickle.dumps(m))
    assert again == m and again.metadata == m.metadata and again.table_names == m.table_names
    assert fm.load_interventions(again).equals(fm.load_interventions(m))


def test_reports_waiting_must_be_a_whole_number():
    with pytest.raises(InvalidParameterError, match="reports_waiting"):
        Workspace(reports_waiting=-1)


@pytest.mark.parametrize(("flag", "value", "message"),
                         [("--workers", "0", "workers must be a whole number >= 1"),
                          ("--reports-waiting", "-1", "reports_waiting must be a whole number")])
def test_serve_refuses_bad_worker_and_queue_numbers(capsys, flag, value, message):
    from factormodel.cli import main

    assert main(["serve", "--port", "8999", flag, value]) == 2
    assert message in capsys.readouterr().err
