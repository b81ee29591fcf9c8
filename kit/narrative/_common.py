"""Helpers the narrative families share: how a report names what the framework leaves
unverified, and how a list of phrases agrees with its verb."""

from __future__ import annotations

from kit.views.context import ReportContext

_CHECK = "not checked against the state's published material"


def unverified_items(ctx: ReportContext) -> list[dict]:
    """The framework's unverified figures a report rests on (``ctx.unverified``), each as
    ``{"label", "note"}`` in words a reader knows: never an internal id ("framework ny",
    "index model ny_pi"), never a label without a sentence after it."""
    out = []
    for u in ctx.unverified:
        text = str(u)
        if text.startswith("framework "):
            out.append(
                {
                    "label": f"The {ctx.framework_name} framework",
                    "note": "Its levels, minimum group sizes and rules are the kit's reading "
                    f"of the state's material, {_CHECK}.",
                }
            )
        elif text == "sublevel scale-score cuts":
            out.append(
                {
                    "label": "Sublevel scale-score cuts",
                    "note": "The scale scores that split the lower achievement levels into "
                    f"halves for the {ctx.headline_model_name} are the common reading, "
                    f"{_CHECK}.",
                }
            )
        elif text.startswith("index model "):
            model = text.removeprefix("index model ")
            name = ctx.headline_model_name if model == ctx.headline_model else "An index model"
            out.append(
                {
                    "label": f"The {name}" if model == ctx.headline_model else name,
                    "note": f"Its points for each achievement level are {_CHECK}.",
                }
            )
        else:
            out.append({"label": text[:1].upper() + text[1:], "note": f"This rule is {_CHECK}."})
    return out


def unverified_labels(ctx: ReportContext) -> list[str]:
    """:func:`unverified_items` as short phrases for a sentence ("the ... framework")."""
    out = []
    for item in unverified_items(ctx):
        label = item["label"]
        first = label.split(" ", 1)[0]
        out.append(label if first.isupper() else label[:1].lower() + label[1:])
    return out
