"""Compose the demo transcripts ``data/samples/transcripts.jsonl`` (deterministic).

    python data/samples/make_transcripts.py

Conversations between customers and six agents over two weeks, built from
the hand-written banks of ``data/classifier/compose.py`` (customer problems,
feelings and questions; apologies, empathy, domain answers) and the must-flag
examples of the rule files, so that agents differ in style: some apologise
and name a next step, some deflect. For the demo and the report only; nothing
is trained or tuned on it.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "classifier"))

import compose as bank  # noqa: E402

SEED = 7
#: agent id -> probability that a reply carries a risky sentence, and of an apology when one is due
AGENTS = {"aino": (0.08, 0.9), "bertta": (0.45, 0.3), "cecilia": (0.2, 0.7),
          "daniel": (0.6, 0.2), "eero": (0.15, 0.8), "fanni": (0.3, 0.5)}
QUESTIONS = [
    ("Mihin aikaan olette auki?", "Olemme auki arkisin 9–17 ja lauantaisin 10–15."),
    ("Miten vaihdan osoitteen?", "Osoitteen voi vaihtaa Omat tiedot -sivulla, tai voin vaihtaa sen puolestanne."),
    ("Kuinka kauan toimitus kestää?", "Toimitus kestää yleensä 2–4 arkipäivää."),
    ("Voinko maksaa laskulla?", "Laskulla maksaminen onnistuu kassalla."),
    ("Voinko siirtää eräpäivää?", "Eräpäivän voi siirtää kerran vuodessa; siirsin sen nyt 14 päivää eteenpäin."),
    ("Olen huolissani, ehtiikö paketti jouluksi?", "Ehtii: paketti lähtee huomenna ja on perillä viimeistään 20.12."),
    ("Moi, onks teillä tätä mustana?", "Moi! Mustaa on varastossa, toimitus 1–2 päivässä."),
    ("Missä on lähin noutopiste?", "Lähin noutopiste on Kauppakeskus Torikulmassa."),
]
FOLLOW_UPS = [
    "Milloin se sitten tapahtuu?", "Ei tuo auta yhtään.", "Okei, kiitos.", "Eli mitä minun pitää tehdä?",
    "Tämä ei vieläkään toimi.", "Kiitos, hyvä kuulla!", "Ihan oikeasti, taasko?", "Entä jos se ei tule huomenna?",
]
FOLLOW_UP_REPLIES = [
    "Tarkistan tilanteen vielä iltapäivällä ja laitan teille viestin.", "Kiitos kärsivällisyydestänne!",
    "Voitte vastata tähän viestiin, jos asia ei ratkea.", "Soitan teille huomenna klo 10.",
    "Hyvää päivänjatkoa!", "Kirjasin asian ylös.",
]


def _reply(rng: random.Random, domain: str, complaint: bool, feeling: bool, agent: str, answer: str = "") -> str:
    risky_p, apology_p = AGENTS[agent]
    parts = [rng.choice(bank.OPENINGS)]
    if complaint and rng.random() < apology_p:
        parts.append(rng.choice(bank.APOLOGIES))
    if feeling and rng.random() < apology_p:
        parts.append(rng.choice(bank.EMPATHY))
    if rng.random() < risky_p:
        parts.append(rng.choice(bank.RISKY))
    if complaint:
        parts.append(rng.choice(bank.CONTENT[domain]))
    else:
        parts.append(answer)
    parts.append(rng.choice(bank.CLOSINGS))
    return " ".join(p for p in parts if p)


def conversations(n: int = 120, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 8, 0)
    out = []
    for i in range(n):
        domain = rng.choice(bank.DOMAINS)
        agent = rng.choice(list(AGENTS))
        when = start + timedelta(days=rng.randint(0, 13), minutes=rng.randint(0, 9 * 60))
        complaint = rng.random() < 0.7
        answer = ""
        feeling = complaint and rng.random() < 0.5
        if complaint:
            first = rng.choice(bank.PROBLEMS[domain]) + (" " + rng.choice(bank.FEELINGS) if feeling else "")
        else:
            first, answer = rng.choice(QUESTIONS)
        turns = [{"role": "customer", "text": first, "time": when.isoformat(timespec="minutes")}]
        when += timedelta(minutes=rng.randint(2, 40))
        turns.append({"role": "agent", "text": _reply(rng, domain, complaint, feeling, agent, answer),
                      "agent_id": agent, "time": when.isoformat(timespec="minutes")})
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            when += timedelta(minutes=rng.randint(1, 15))
            turns.append({"role": "customer", "text": rng.choice(FOLLOW_UPS), "time": when.isoformat(timespec="minutes")})
            when += timedelta(minutes=rng.randint(1, 20))
            text = (rng.choice(bank.RISKY) if rng.random() < AGENTS[agent][0] / 2 else rng.choice(FOLLOW_UP_REPLIES))
            turns.append({"role": "agent", "text": text, "agent_id": agent,
                          "time": when.isoformat(timespec="minutes")})
        out.append({"id": f"chat-{i + 1:04d}", "channel": rng.choice(("chat", "email", "ticket")),
                    "domain": domain, "turns": turns})
    return out


def main() -> None:
    path = HERE / "transcripts.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for conv in conversations():
            f.write(json.dumps(conv, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
