"""Seeded draw of CND proposal outcomes to judge by hand (issue 15).

Unit = (proposal, group): group `sponsor` for every ahc4-cnd proposal with at least one
sponsor position (the proposal's wording), group `delete` for every proposal with at least
one delete position (the wording it targets). 130 units drawn uniformly, seed 20241224."""
import numpy as np, pandas as pd, treatydrafts as td
SEED, N = 20241224, 130
d = td.Corpus(read_built=False).load("ahc4-cnd")
pos, props = d.positions, d.proposals.set_index("proposal_id")
units = []
for (pid, stance), g in pos.groupby(["proposal_id", "stance"]):
    if stance in ("sponsor", "delete"):
        units.append({"proposal_id": pid, "group": stance, "delegations": ", ".join(sorted(set(g.delegation_id) - {""}) or g.code_as_written)})
u = pd.DataFrame(units).sort_values(["proposal_id", "group"]).reset_index(drop=True)
print(len(u), u.group.value_counts().to_dict())
rng = np.random.default_rng(SEED)
s = u.iloc[rng.permutation(len(u))[:N]].copy()
s.insert(0, "unit_id", [f"O{i:03d}" for i in range(1, N + 1)])
p = props.loc[s.proposal_id]
s["article"] = p["article"].values; s["line"] = p["line"].values; s["kind"] = p["kind"].values
s["start_offset"] = p["start_offset"].values; s["end_offset"] = p["end_offset"].values
s["text"] = p["text"].values; s["tail"] = p["tail"].values
s.to_csv("sample.csv", index=False)
print(s.group.value_counts().to_dict(), s.kind.value_counts().to_dict())
