"""`steward demo`: a simulated community that shows all of Steward working, with no tokens.

- `script`: the texts simulated people write (members, spam accounts, the brand, moderators);
- `people`: who writes (a fixed cast of members, throwaway spam accounts);
- `plan`: the seeded, time-ordered stream of member messages and brand posts (pure);
- `members` / `moderators`: play that stream and work the cards through the sandboxes'
  control APIs, like outside clients;
- `figures` / `summary`: what the live terminal summary reads and shows;
- `runner`: starts the sandboxes and Steward, runs the simulation, stops it all cleanly.
"""
