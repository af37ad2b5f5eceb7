"""The desk's feedback form starts from residents' own online ratings (intake store) and
records how many came from them; the moderator adds what was gathered on paper."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import LiveDesk, form_values, live_desk, login, post, submit
from intake_support import git
from yishi.intake.abuse import RateLimit
from yishi.intake.ratings import Ratings, Satisfaction
from yishi.intake.store import Store
from yishi.intake.submission import Submission

DONE = "2023-0403-k7qm"  # done in the demo records


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveDesk]:
    with live_desk(tmp_path) as served:
        db = tmp_path / "intake.sqlite3"
        served.desk.settings.intake_db = db
        now = served.clock()
        with Store(db) as store:
            store.admit(Submission("路灯", "很黑。", "shengye", "amenities", contact="x@y.cn"),
                        [], client="c", now=now, new_id=lambda: DONE, limit=RateLimit())
            ratings = Ratings(store)
            links = [ratings.invite(DONE, DONE, now=now),
                     *ratings.invite_cosigners(DONE, DONE, 3, now=now)]
            for link, answer, resolved in zip(links, (
                    Satisfaction.SATISFIED, Satisfaction.SATISFIED,
                    Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED),
                    (True, True, True, False), strict=True):
                ratings.rate(link, answer, resolved, "", now=now)
        yield served


def feedback_on_main(live: LiveDesk) -> dict[str, object]:
    text = git(live.root, "show", f"main:content/issues/{DONE}.md")
    front: dict[str, object] = yaml.safe_load(text.split("---")[1])["feedback"]
    return front


def test_the_form_starts_from_online_ratings_and_paper_counts_are_added(
    live: LiveDesk,
) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    form = amy.get(f"/issues/{DONE}/feedback").text
    assert "其中 4 份来自居民在线评价" in form
    values = form_values(form)
    assert (values["satisfied"], values["basically_satisfied"], values["dissatisfied"],
            values["resolved"]) == ("2", "1", "1", "yes")
    # Fewer than the residents themselves said is refused, naming the field.
    low = post(amy, f"/issues/{DONE}/feedback", {**values, "satisfied": "1", "step": "preview"})
    assert low.status_code == 422 and "满意(satisfied)不能少于居民在线评价中的 2 份" in low.text
    # Five more satisfied answers gathered on paper.
    change = submit(amy, f"/issues/{DONE}/feedback", {**values, "satisfied": "7"})
    assert post(bo, f"/changes/{change}/approve", {}).status_code == 200
    feedback = feedback_on_main(live)
    assert (feedback["satisfied"], feedback["basically_satisfied"], feedback["dissatisfied"],
            feedback["from_ratings"], feedback["resolved"]) == (7, 1, 1, 4, True)


def test_without_an_intake_store_the_form_starts_empty(live: LiveDesk) -> None:
    live.desk.settings.intake_db = None
    amy = login(live, "amy")
    form = amy.get(f"/issues/{DONE}/feedback").text
    assert "在线评价" not in form and form_values(form).get("satisfied") == ""
