"""One name and one definition per measure, the same on the pages, in the CSV and the PDF."""

from __future__ import annotations

from market40.reports.glossary import TERMS
from market40.reports.labels import label
from market40.reports.metrics import METRICS, RATIO_METRICS
from market40.web.messages import MESSAGES


def test_every_metric_has_one_name_and_definition_in_both_languages():
    assert tuple(TERMS) == METRICS
    for metric, term in TERMS.items():
        assert term.name_vi and term.name_en and term.definition_vi and term.definition_en
        assert term.ratio == RATIO_METRICS.get(metric)


def test_names_are_unique_so_no_two_figures_share_a_name():
    for lang in ("vi", "en"):
        names = [t.name(lang) for t in TERMS.values()]
        assert len(set(names)) == len(names)


def test_pages_and_csv_use_the_glossary_names():
    for metric, term in TERMS.items():
        assert MESSAGES[f"metric.{metric}"] == (term.name_vi, term.name_en)
        assert label(metric, "vi").startswith(term.name_vi)
    # The figure the users reported under four names has one now.
    assert MESSAGES["metric.active_rate"][0] == "Tỷ lệ tiểu thương dùng QR"
