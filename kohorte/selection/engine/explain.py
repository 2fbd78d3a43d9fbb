"""Texts of waiting-list reasons and refused policies."""

from __future__ import annotations


def _relaxed_policy_text(names_with_min):
    return ", ".join(f"{name} {value}" for name, value in names_with_min)


def _render_reason(reason):
    """(short key, German text) for a waiting-list reason."""
    kind = reason[0]
    if kind == "places":
        return "alle Plätze vergeben", f"alle Plätze vergeben ({reason[1]} von {reason[1]})"
    if kind == "site":
        key = f"Höchstzahl je Standort {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "organisation":
        key = f"Höchstzahl je Träger {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "region_max":
        key = f"Höchstzahl Regierungsbezirk {reason[1]} erreicht"
        return key, f"{key} ({reason[2]} von {reason[3]})"
    if kind == "minimum":
        key = "; ".join(f"Mindestzahl Regierungsbezirk {r}" for r in reason[1])
        return key, (
            f"{key} (mit dieser Bewerbung wäre die Mindestzahl nicht mehr erreichbar; "
            "die verbleibenden Plätze werden dafür gebraucht)"
        )
    if kind == "fill":
        names = []
        for what, name in reason[2]:
            if what == "organisation":
                names.append(f"Höchstzahl je Träger {name}")
            else:
                names.append(f"Höchstzahl Regierungsbezirk {name}")
        key = "sonst blieben Plätze unbesetzt"
        if names:
            key += " (bindend: " + ", ".join(names) + ")"
        return key, (
            f"{key}; mit dieser Bewerbung wären höchstens {reason[1] - 1} statt {reason[1]} "
            "Plätze besetzbar"
        )
    if kind == "minimum_fill":
        key = "; ".join(f"Mindestzahl Regierungsbezirk {r}" for r in reason[1])
        key += " und sonst unbesetzte Plätze"
        return key, (
            f"{key} (mit dieser Bewerbung wäre die Mindestzahl nur um den Preis "
            "unbesetzter Plätze erreichbar)"
        )
    if kind == "complete":
        key = "alle nach den Vorgaben besetzbaren Plätze vergeben"
        return key, f"{key} ({reason[1]})"
    key = "Vorgaben lassen keine weitere Auswahl zu"
    return key, key
