"""Skills stored in the database reach the matching frames (api.matches.frames)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.demo.service import load_demo
from api.matches.frames import load_catalogue, load_households
from api.models import HouseholdMemberRecord, VacancyRecord
from api.taxonomy.service import TaxonomyService
from matching.programme.geography import load_reference
from tests.conftest import DATA_DIR


def test_member_and_vacancy_skills_are_loaded(
    session: Session, taxonomy_service: TaxonomyService
) -> None:
    reference = load_reference(DATA_DIR)
    load_demo(session, reference, taxonomy_service.taxonomy, households=12, with_tokens=False)
    member = session.scalars(select(HouseholdMemberRecord).limit(1)).one()
    member.skills = ["weld.naks.1", "lic.drive.CE"]
    vacancy = session.scalars(
        select(VacancyRecord).where(
            VacancyRecord.status == "open", VacancyRecord.posts > VacancyRecord.posts_reserved
        )
    ).first()
    assert vacancy is not None
    vacancy.required_skills = ["weld.naks.1"]
    session.flush()

    frames = load_households(session, ids=[member.household_id], statuses=None)
    skills = dict(
        zip(frames.members["member_no"].to_list(), frames.members["skills"].to_list(), strict=True)
    )
    assert skills[member.position] == ["weld.naks.1", "lic.drive.CE"]
    # The household's other members keep the skills the demo stored for them.
    stored = {
        m.position: list(m.skills or [])
        for m in session.scalars(
            select(HouseholdMemberRecord).where(
                HouseholdMemberRecord.household_id == member.household_id
            )
        )
    }
    assert skills == stored

    catalogue = load_catalogue(session, reference)
    required = dict(
        zip(
            catalogue.vacancies["vacancy_id"].to_list(),
            catalogue.vacancies["required_skills"].to_list(),
            strict=True,
        )
    )
    assert required[str(vacancy.id)] == ["weld.naks.1"]
