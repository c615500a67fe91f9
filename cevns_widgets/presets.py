"""Named, versioned scenarios, each with its citation (in the spirit of snewpy's presets).

``DEFAULT_PRESET`` (COHERENT CsI[Na] 2017) is what the explorer opens on. Values marked
"check" in ``shared/physics/REFERENCE.md`` are flagged in the preset's ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .physics.sources.sns import pot_from_days, pot_from_energy
from .scenario import Scenario, ScenarioError


@dataclass(frozen=True)
class Preset:
    name: str
    version: str
    title: str
    citation: str
    parameters: dict
    notes: str = ""
    published: dict = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        return Scenario(**self.parameters)


_CSI = {"target": "CsI", "mass_kg": 14.6, "distance_m": 19.3}

PRESETS: dict[str, Preset] = {}


def _add(preset: Preset) -> None:
    PRESETS[preset.name] = preset


_add(
    Preset(
        name="coherent-csi-2017",
        version="1.0",
        title="COHERENT CsI[Na] 2017: the first observation of CEvNS",
        citation=(
            "COHERENT, Science 357 (2017) 1123, arXiv:1708.01294; data release "
            "arXiv:1804.09459, doi:10.5281/zenodo.1228631"
        ),
        parameters={
            **_CSI,
            "pot": 1.76e23,  # 7.48 GWh at 0.957 GeV (data release)
            "nu_per_pot": 0.08,
            "threshold": 6.0,
            "threshold_unit": "PE",
            "roi_max": 30.0,
            "time_window_start_us": 0.0,
            "time_window_stop_us": 12.0,
            "quenching": "constant",
            "quenching_factor": 0.0878,
            "light_yield_PE_per_keVee": 13.348,
            "efficiency": "csi-2017",
        },
        notes=(
            "308.1 live days, 7.48 GWh. Analysis region 6 <= PE < 30, 0-12 us. Quenching "
            "0.0878 +- 0.0166, light yield 13.348 PE/keVee, acceptance from the data release."
        ),
        published={
            "predicted": 173.0,
            "predicted_error": 48.0,
            "observed": 134.0,
            "observed_error": 22.0,
            "significance_sigma": 6.7,
        },
    )
)

_add(
    Preset(
        name="coherent-csi-2021",
        version="1.0",
        title="COHERENT CsI[Na] full dataset (2021 analysis)",
        citation="COHERENT, arXiv:2110.07730 (PRL 129 (2022) 081801), data release",
        parameters={
            **_CSI,
            "pot": pot_from_energy(13.99, 1.0),
            "nu_per_pot": 0.0848,
            "threshold": 0.0,
            "threshold_unit": "PE",
            "roi_max": 60.0,
            "quenching": "csi-2021",
            "light_yield_PE_per_keVee": 13.35,
            "efficiency": "csi-2021",
        },
        notes=(
            "13.99 GWh, taken at 1.0 GeV per proton (check); yield 0.0848 per flavour (check). "
            "The efficiency curve sets the threshold; the PE window and timing cuts of the "
            "analysis are not encoded here."
        ),
    )
)

_add(
    Preset(
        name="coherent-lar-2020",
        version="1.0",
        title="COHERENT CENNS-10 liquid argon 2020",
        citation="COHERENT, PRL 126 (2021) 012002, arXiv:2003.10630; doi:10.5281/zenodo.3903810",
        parameters={
            "target": "Ar",
            "mass_kg": 24.4,
            "distance_m": 27.5,
            "pot": 13.8e22,
            "nu_per_pot": 0.09,
            "threshold": 0.0,
            "threshold_unit": "keVee",
            "roi_max": 120.0,
            "quenching": "lar-2020",
            "resolution_a": 0.58,
            "efficiency": "lar-2020",
        },
        notes=(
            "Fiducial 24.4 kg at 27.5 m, 13.8e22 POT (6.12 GWh). The analysis-A acceptance "
            "(keVee) sets the threshold; pulse-shape and timing cuts are in that acceptance. "
            "Published numbers as quoted in the paper's abstract (check against the paper)."
        ),
        published={
            "predicted": 128.0,
            "predicted_error": 17.0,
            "observed": 159.0,
            "observed_error": 43.0,
        },
    )
)

_add(
    Preset(
        name="ge-10kg-22m",
        version="1.0",
        title="HPGe PPC array, 10 kg at 22 m (design study)",
        citation="COHERENT detector seed table (REFERENCE.md sec. 6)",
        parameters={
            "target": "Ge",
            "mass_kg": 10.0,
            "distance_m": 22.0,
            "pot": pot_from_days(365.0, 1.4, 1.0),
            "nu_per_pot": 0.09,
            "threshold": 5.0,
            "threshold_unit": "keVnr",
        },
        notes="One year at 1.4 MW and 1 GeV; perfect efficiency above 5 keVnr.",
    )
)

for _mass, _label in ((185.0, "185kg"), (2000.0, "2t")):
    _add(
        Preset(
            name=f"nai-{_label}-28m",
            version="1.0",
            title=f"NaI[Tl], {_mass:g} kg at 28 m (design study)",
            citation="COHERENT detector seed table (REFERENCE.md sec. 6)",
            parameters={
                "target": "NaI",
                "mass_kg": _mass,
                "distance_m": 28.0,
                "pot": pot_from_days(365.0, 1.4, 1.0),
                "nu_per_pot": 0.09,
                "threshold": 13.0,
                "threshold_unit": "keVnr",
            },
            notes="One year at 1.4 MW and 1 GeV; perfect efficiency above 13 keVnr.",
        )
    )

DEFAULT_PRESET = "coherent-csi-2017"


def get_preset(name: str) -> Preset:
    """The preset called ``name``; an unknown name lists the available ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ScenarioError(
            f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}"
        ) from None
