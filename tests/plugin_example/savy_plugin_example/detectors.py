"""A Python detector: words written in capitals read as shouting."""

from __future__ import annotations


class Shouting:
    id = "example-shouting"
    severity = "low"
    message = "Isoilla kirjaimilla kirjoitettu sana kuulostaa huutamiselta."
    suggestion = "Kirjoita tavallisin kirjaimin; korosta tarvittaessa sanavalinnalla."

    def __call__(self, doc):
        return [(t.idx, t.idx + len(t.text)) for t in doc
                if len(t.text) >= 4 and t.text.isalpha() and t.text.isupper()]
