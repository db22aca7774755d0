"""The shipped sample event: a fictional Weibo-style brand event (岚柚 Lanyou) with planted roles.

Files: interactions.csv, users.csv, truth.csv (planted roles, communities, stances), kolgraph.toml
(the brand's accounts and keywords) and event.json (how it was made). Made by
``kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0``; find the files
with :func:`kolgraph.datasets.load_sample`. All names are invented.
"""
