"""Complete lists by exclusion: subdivide a box the zeros are confined to (docs/theory.md).

`search` holds the subdivision itself (`ExclusionSearch`: every piece is
excluded by an interval enclosure or proven by the Krawczyk test to hold
exactly one zero); `entropy_logit` confines the zeros of an
entropy-regularised logit field to a box by the entropy term's asymptotics
and runs the search there (route "entropy-exclusion").
"""
