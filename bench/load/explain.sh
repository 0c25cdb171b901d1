#!/usr/bin/env bash
# The query plans of what an EPA's page, its timeline, every API
# request's authentication, a page of the list and the deadlines lists in
# each organisation's scope read, on a loaded database: each must be an
# index lookup or range (no scan of a table that grows with the EPAs, no
# sort of one).
#
#   bench/load/explain.sh sqlite PATH/epa.db
#   bench/load/explain.sh postgres postgres://USER@HOST/NAME
set -euo pipefail
kind="$1"; target="$2"
# A real EPA and token hash make the plans those
# of the data (PostgreSQL chooses by statistics).
if [ "$kind" = sqlite ]; then
  q() { sqlite3 "$target" "$1"; }
  EPA="x'$(q "SELECT hex(id) FROM epas WHERE stage = 'in_assessment' LIMIT 1")'"
else
  q() { psql -Atq "$target" -c "$1"; }
  EPA="'$(q "SELECT id FROM epas WHERE stage = 'in_assessment' LIMIT 1")'"
  q "ANALYZE" >/dev/null
fi
ENTITY="$(q "SELECT entity_id FROM audit_events WHERE entity_type = 'epa' LIMIT 1")"
TODAY="$(date +%F)"
if [ "$kind" = sqlite ]; then
  NIL="x'00000000000000000000000000000000'"
else
  NIL="'00000000-0000-0000-0000-000000000000'"
fi
explain() {
  echo "-- $1"
  if [ "$kind" = sqlite ]; then
    q "EXPLAIN QUERY PLAN $2" | sed 's/^/   /'
  else
    q "EXPLAIN $2" | sed 's/^/   /'
  fi
}
explain "token, holder and roles (every API request)" \
  "SELECT t.id, t.user_id, t.restricted, m.organisation_id, m.role FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN memberships m ON m.user_id = t.user_id WHERE t.token_hash = 'x' AND t.revoked_at IS NULL AND u.deactivated_at IS NULL ORDER BY m.organisation_id, m.role"
explain "web session, holder and roles (every page)" \
  "SELECT s.user_id, m.organisation_id, m.role FROM web_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN memberships m ON m.user_id = s.user_id WHERE s.id_hash = 'x' AND u.deactivated_at IS NULL ORDER BY m.organisation_id, m.role"
if [ "$kind" = sqlite ]; then
  GATHERED="group_concat(p.list || hex(p.person), ',')"
else
  GATHERED="string_agg(p.list || p.person::text, ',')"
fi
explain "the EPA, its apprentice, its standing adjustment, the people conflicted for its employer or provider and its graders (the gate, one statement)" \
  "SELECT e.id, a.uln, adj.id, (SELECT $GATHERED FROM (SELECT 'c' AS list, user_id AS person FROM conflicts WHERE organisation_id = a.employer_id AND withdrawn_at IS NULL UNION ALL SELECT 'c', user_id FROM conflicts WHERE organisation_id = a.provider_id AND withdrawn_at IS NULL UNION ALL SELECT 'g', assessor_id FROM assessments WHERE epa_id = e.id UNION ALL SELECT 'g', assessor_id FROM judgements WHERE epa_id = e.id GROUP BY assessor_id) p) FROM epas e JOIN apprentices a ON a.id = e.apprentice_id LEFT JOIN adjustments adj ON adj.id = (SELECT s.id FROM adjustments s WHERE s.epa_id = e.id ORDER BY s.decided_at DESC, s.id DESC LIMIT 1) WHERE e.id = $EPA"
explain "its events (timeline)" \
  "SELECT occurred_at, actor_role, action, after_json FROM audit_events WHERE entity_type = 'epa' AND entity_id = '$ENTITY' ORDER BY seq"
explain "its method results (timeline, for readers who may not see marks yet)" \
  "SELECT id FROM method_results WHERE epa_id = $EPA ORDER BY attempt, method"
# A page of the list in each organisation's scope: one range of its index
# in order of registration (epas_list, epas_list_provider,
# epas_list_employer), no sort of the organisation's EPAs.
# The organisation with the most EPAs: PostgreSQL plans by its statistics.
for scope in epao provider employer; do
  LARGEST="FROM epas GROUP BY ${scope}_id ORDER BY COUNT(*) DESC LIMIT 1"
  if [ "$kind" = sqlite ]; then
    ORG="x'$(q "SELECT hex(${scope}_id) $LARGEST")'"
  else
    ORG="'$(q "SELECT ${scope}_id $LARGEST")'"
  fi
  explain "a page of the list of 50, in the ${scope}'s scope" \
    "SELECT e.id, a.uln FROM epas e JOIN apprentices a ON a.id = e.apprentice_id WHERE e.${scope}_id = $ORG ORDER BY e.created_at, e.id LIMIT 51"
  # The kept deadlines (ADR 0174): each arm a range of the scope's index
  # from a date, no sort of the scope's deadlines.
  explain "the 50 most urgent deadlines, in the ${scope}'s scope: those open whatever the date, then those open to a day" \
    "SELECT * FROM (SELECT d.epa_id FROM epa_deadlines d WHERE d.${scope}_id = $ORG AND d.open_kind = 'always' AND (d.due_on, d.epa_id, d.position) > ('0001-01-01', $NIL, 0) ORDER BY d.due_on, d.epa_id, d.position LIMIT 50) AS open_always UNION ALL SELECT * FROM (SELECT d.epa_id FROM epa_deadlines d WHERE d.${scope}_id = $ORG AND d.open_kind = 'until' AND d.due_on >= '$TODAY' AND d.open_until >= '$TODAY' AND (d.due_on, d.epa_id, d.position) > ('$TODAY', $NIL, -1) ORDER BY d.due_on, d.epa_id, d.position LIMIT 50) AS open_until"
  explain "every deadline in order of date (met and missed ones), in the ${scope}'s scope" \
    "SELECT d.epa_id FROM epa_deadlines d WHERE d.${scope}_id = $ORG AND (d.due_on, d.epa_id, d.position) > ('0001-01-01', $NIL, 0) ORDER BY d.due_on, d.epa_id, d.position LIMIT 2000"
done
