#!/usr/bin/env python3
"""Generate a corpus of realistic agentb skills for benchmarks.

Writes N skill files of about 3 KB each (frontmatter with varied triggers, inputs, outputs,
dependencies, permissions and limits; a body with Purpose, Founder Knowledge, Process, Error
Handling and extra context sections) into DIR/skills, plus a few personas into DIR/personas.
About --invalid (default 10%) of the skills carry one or two assorted lint problems: bad versions,
unknown keys, types and statuses, missing sections, unresolved or mismatched dependencies, cycles,
malformed cron, YAML syntax errors, pasted keys, and so on. Everything is deterministic for a
given --seed.

Usage: scripts/gen-corpus.py DIR [--count 10000] [--invalid 0.1] [--seed 42] [--personas 20]
"""

import argparse
import os
import random
import shutil
import sys

CATEGORIES = ["briefs", "planning", "quality", "clients", "finance", "content", "staffing", "reporting"]
NOUNS = [
    "brief", "timeline", "budget", "client", "deliverable", "review", "invoice", "campaign", "asset",
    "report", "forecast", "capacity", "proposal", "contract", "onboarding", "feedback", "pitch",
    "retainer", "schedule", "risk",
]
VERBS = [
    "creator", "estimator", "checker", "analyzer", "tracker", "scanner", "planner", "drafter",
    "auditor", "summarizer", "router", "reviewer", "builder", "monitor", "reconciler",
]
EVENTS = [
    "client_request_received", "manual_invoke", "brief_created", "brief_approved", "deal_won",
    "deliverable_submitted", "deadline_approaching", "invoice_overdue", "form_submitted",
    "knowledge_updated", "weekly_review", "client_feedback_received",
]
CRONS = ["0 8 * * 1-5", "30 9 * * 1", "0 */4 * * *", "15 7 1 * *", "0 18 * * 5", "45 6 * * *"]
PRIMITIVES = ["string", "number", "integer", "boolean", "object", "array", "date", "datetime"]
ENTITIES = ["Brief", "Client", "Deal", "User", "Deliverable", "FormTemplate", "ContentTrigger", "KnowledgeDocument"]
RESOURCES = ["brief", "client", "deal", "user", "deliverable", "form_template", "content_trigger", "knowledge"]
ACTIONS = ["read", "read", "read", "create", "update"]
FIELD_WORDS = [
    "client", "request", "brief", "scope", "budget", "deadline", "priority", "team", "member", "owner",
    "notes", "summary", "risk", "deliverable", "format", "channel", "audience", "objective", "quote",
    "estimate", "phase", "review", "round", "approver", "reference", "warning", "score", "status",
]
SENTENCES = [
    "The agency's account managers rely on this to keep promises they can actually keep.",
    "It reads the client's history first so that nothing it proposes contradicts what was agreed before.",
    "Every figure it reports comes from the ERP, never from a guess or an average of unrelated work.",
    "When information is missing it says so plainly instead of filling the gap with plausible text.",
    "The output is a draft for a human to approve; nothing is sent to a client without review.",
    "It favours comparable past work over optimism when it sizes effort or predicts dates.",
    "Quality warnings are listed explicitly so the reviewer can resolve them before anything ships.",
    "It respects the team's existing bookings and never double-books a person across projects.",
    "Budgets are quoted in the organization's currency and rounded the way finance expects.",
    "Client review rounds are planned explicitly, because feedback loops are where timelines slip.",
]
QUOTES = [
    "A brief is complete when it has actionable deliverables, clear timeline, and comparable reference work.",
    "Clients tell you the output they want; the brief has to capture the outcome they need.",
    "Never let work leave the building without a named approver on the client side.",
    "If a deadline only works when nothing goes wrong, it is not a deadline, it is a wish.",
    "Write down the business objective in one sentence before listing a single asset.",
    "The fastest way to lose a client is to surprise them with an invoice.",
    "A good estimate names its assumptions; a bad one hides them.",
    "Capacity is a promise to the team as much as to the client.",
]
STEPS = [
    "Load the client with `erp_get_client` and note industry, tone of voice and the usual approver.",
    "Read the agency standards for this kind of work with `erp_get_knowledge`.",
    "Extract the objective, audience, channels, assets, dates and budget from the request; mark each as stated or inferred.",
    "List comparable deliverables for this client and across clients to calibrate effort.",
    "Check team capacity for the period and flag anyone booked above eighty percent.",
    "Draft the result, keeping every inferred element visible in the warnings.",
    "Validate the draft against the standards and the client's past objections.",
    "Create or update the record in the ERP as a draft and wait for confirmation rather than retrying.",
    "Return the outputs with every open question listed for the account manager.",
    "Summarize what changed since the last run so the reviewer can focus on the difference.",
]
ERRORS = [
    ("Missing client context or unknown client id", "Stop and ask for the client id; do not guess"),
    ("Request too vague to name any deliverable", "Draft the objective and open questions only, with a warning"),
    ("No comparable past work found", "Continue, and warn that references must be added by hand"),
    ("Dependency skill fails or times out", "Continue without that section and warn which part is missing"),
    ("ERP write proposal rejected", "Return the draft as output only and explain that nothing was saved"),
    ("Budget missing", "Leave the budget blank with a warning instead of inventing a figure"),
]
CONTEXT_HEADINGS = ["Constraints", "Tone", "Examples", "Glossary", "Escalation"]
BULLETS = [
    "Never promise a date earlier than the estimate's end.",
    "Do not invent budget figures; leave them blank with a warning.",
    "Use the client's own vocabulary for their products and audiences.",
    "Keep internal notes out of anything the client will read.",
    "Escalate to the account lead when a request touches contract terms.",
    "Prefer short, concrete sentences over marketing language.",
]


def skill_id(i):
    return f"{NOUNS[i % len(NOUNS)]}-{VERBS[(i // len(NOUNS)) % len(VERBS)]}-{i}"


def wrap(text, width=100):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


def field_name(rng, used):
    while True:
        name = "_".join(rng.sample(FIELD_WORDS, rng.choice([1, 2, 2, 3])))
        if name not in used:
            used.add(name)
            return name


def field(rng, used, output):
    name = field_name(rng, used)
    kind = rng.random()
    if kind < 0.5:
        ty = rng.choice(PRIMITIVES)
    elif kind < 0.8:
        ty = rng.choice(ENTITIES)
    else:
        ty = rng.choice(PRIMITIVES[:4] + ENTITIES) + "[]"
    lines = [f"  - name: {name}", f"    type: {ty}"]
    if not output and rng.random() < 0.4:
        lines.append("    required: true")
    elif not output and ty == "string" and rng.random() < 0.5:
        lines.append("    enum: [low, normal, high]")
        lines.append("    default: normal")
    elif not output and ty == "integer" and rng.random() < 0.5:
        lines.append(f"    default: {rng.randint(1, 9)}")
    lines.append(f"    description: {rng.choice(SENTENCES)}")
    return lines


def render_skill(rng, i, ids, versions):
    sid = ids[i]
    version = versions[i]
    fm = [
        "---",
        f"id: {sid}",
        "type: skill",
        f"version: {version}",
        f"status: {rng.choice(['active', 'active', 'active', 'draft'])}",
        f"category: {rng.choice(CATEGORIES)}",
        f"description: {rng.choice(SENTENCES)} {rng.choice(SENTENCES)}",
        "triggers:",
    ]
    for event in rng.sample(EVENTS, rng.randint(1, 3)):
        fm.append(f"  - event: {event}")
    if rng.random() < 0.3:
        fm.append(f'  - schedule: "{rng.choice(CRONS)}"')
    used = set()
    fm.append("inputs:")
    for _ in range(rng.randint(2, 5)):
        fm.extend(field(rng, used, False))
    fm.append("outputs:")
    for _ in range(rng.randint(1, 3)):
        fm.extend(field(rng, used, True))
    if i > 0 and rng.random() < 0.5:
        fm.append("dependencies:")
        for d in sorted(set(rng.randrange(max(0, i - 200), i) for _ in range(rng.randint(1, 3)))):
            major = versions[d].split(".")[0]
            fm.append(f"  - {ids[d]}@^{major}.0" if rng.random() < 0.7 else f"  - {ids[d]}")
    fm.append("permissions:")
    perms = sorted(set(f"{rng.choice(RESOURCES)}:{rng.choice(ACTIONS)}" for _ in range(rng.randint(1, 4))))
    fm.extend(f"  - {p}" for p in perms)
    if rng.random() < 0.4:
        fm.append("limits:")
        fm.append(f"  max_turns: {rng.randint(3, 15)}")
        if rng.random() < 0.5:
            fm.append(f"  max_cost_usd: {rng.choice(['0.25', '0.5', '0.75'])}")
    fm.append("---")

    title = " ".join(w.capitalize() for w in sid.split("-")[:-1])
    body = ["", f"# {title}", "", "## Purpose", ""]
    body.append(wrap(" ".join(rng.sample(SENTENCES, 4))))
    body += ["", "## Founder Knowledge", ""]
    for quote in rng.sample(QUOTES, rng.randint(1, 3)):
        body += [f'> "{quote}"', ""]
    body += ["## Process", ""]
    for n, step in enumerate(rng.sample(STEPS, rng.randint(4, 7)), 1):
        body.append(f"{n}. {step}")
    body += ["", "## Error Handling", "", "| Error | Action |", "|-------|--------|"]
    for error, action in rng.sample(ERRORS, rng.randint(2, 4)):
        body.append(f"| {error} | {action} |")
    for heading in rng.sample(CONTEXT_HEADINGS, rng.randint(1, 2)):
        body += ["", f"## {heading}", ""]
        body += [f"- {b}" for b in rng.sample(BULLETS, rng.randint(2, 4))]
    return "\n".join(fm + body) + "\n"


def break_skill(rng, text, i, ids):
    """Introduces one or two assorted lint problems."""
    problems = [
        lambda t: t.replace("version: ", "version: 1.", 1).replace(".0.0\n", ".0\n", 1)
        if ".0.0\n" in t else t.replace("type: skill", "type: skil", 1),
        lambda t: t.replace("status: active", "status: Active", 1).replace("status: draft", "status: drafting", 1),
        lambda t: t.replace("    type: string\n", "    type: strin\n", 1)
        if "    type: string\n" in t else t.replace("category:", "categry:", 1),
        lambda t: t.replace("category:", "categry:", 1),
        lambda t: t.replace("## Purpose", "## Purpse", 1),
        lambda t: t.replace("## Process\n\n1.", "## Process\n\n-", 1).replace("\n2.", "\n-").replace("\n3.", "\n-"),
        lambda t: t.replace("permissions:\n", f"dependencies:\n  - {ids[(i + 7) % len(ids)].replace('-', '_')}\npermissions:\n", 1)
        if "dependencies:" not in t else t.replace("dependencies:\n", "dependencies:\n  - no-such-skill\n", 1),
        lambda t: t.replace("permissions:\n", f"dependencies:\n  - {ids[(i + 1) % len(ids)]}@^9.0\npermissions:\n", 1)
        if "dependencies:" not in t else t.replace("dependencies:\n", f"dependencies:\n  - {ids[(i + 3) % len(ids)]}@^9.0\n", 1),
        lambda t: t.replace("permissions:\n", "permissions:\n  - brief:fly\n  - spaceship:read\n", 1),
        lambda t: t.replace("triggers:\n", 'triggers:\n  - schedule: "61 8 * * *"\n', 1),
        lambda t: t.replace("  - name: ", "  - name: clientContext_", 1),
        lambda t: t.replace("description: ", "description: [unclosed, ", 1),
        lambda t: t.replace("---\n", "", 1),
        lambda t: t.replace("## Purpose", "Contact ops with key sk-ant-api03-Zx81kQp0LmN4vB7rT2yW9sD3fG6hJ1aE5cU\n\n## Purpose", 1),
        lambda t: t.replace(f"id: {ids[i]}", f"id: {ids[(i + 11) % len(ids)]}", 1),
        lambda t: t.replace("    type: ", "    type: number\n    required: true\n    default: 3\n    kind: ", 1),
        lambda t: t.replace("limits:\n", "limits:\n  max_wall_secs: 99999\n", 1)
        if "limits:\n" in t else t.replace("permissions:", "limits:\n  max_turns: 999\npermissions:", 1),
    ]
    for fix in rng.sample(problems, rng.choice([1, 1, 2])):
        text = fix(text)
    return text


def render_persona(rng, n, ids, invalid):
    allowed = rng.sample(ids, min(len(ids), rng.randint(3, 12)))
    if rng.random() < invalid:
        allowed.append("no-such-skill")
    lines = ["---", f"id: persona-{n}", "type: persona", f"name: Persona {n}", "allowed_skills:"]
    lines += [f"  - {a}" for a in allowed]
    lines += ["model: claude-sonnet-4-5", "---", "", wrap(" ".join(rng.sample(SENTENCES, 6))), ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--invalid", type=float, default=0.1, help="fraction of skills with lint problems")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--personas", type=int, default=20)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    ids = [skill_id(i) for i in range(args.count)]
    versions = [f"{rng.choice([1, 1, 1, 2, 3])}.{rng.randint(0, 9)}.{rng.randint(0, 20)}" for _ in ids]
    skills_dir = os.path.join(args.dir, "skills")
    personas_dir = os.path.join(args.dir, "personas")
    for d in (skills_dir, personas_dir):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    total = 0
    invalid = 0
    for i in range(args.count):
        text = render_skill(rng, i, ids, versions)
        if rng.random() < args.invalid:
            text = break_skill(rng, text, i, ids)
            invalid += 1
        with open(os.path.join(skills_dir, f"{ids[i]}.md"), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text)
    for n in range(args.personas):
        with open(os.path.join(personas_dir, f"persona-{n}.md"), "w", encoding="utf-8") as f:
            f.write(render_persona(rng, n, ids, args.invalid))
    config = os.path.join(args.dir, ".agentbuilder.toml")
    if not os.path.exists(config):
        with open(config, "w", encoding="utf-8") as f:
            f.write('[project]\nskills = "skills"\npersonas = "personas"\n')
    print(
        f"wrote {args.count} skills ({invalid} with problems, {total // max(1, args.count)} bytes on average) "
        f"and {args.personas} personas into {args.dir}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
