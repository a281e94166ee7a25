#!/bin/sh
# Two roles for the application's database, run once by the postgres image when it creates its data directory
# (/docker-entrypoint-initdb.d), as the superuser POSTGRES_USER, in the database POSTGRES_DB.
#
# - opp_owner owns every table: `manage.py migrate` connects as it (the compose `migrate` service).
# - opp_app is what the web app, the worker and beat connect as: it may read and write rows (SELECT, INSERT,
#   UPDATE, DELETE, no TRUNCATE) but owns no table and is no superuser, so it can neither alter nor drop a
#   table or a trigger, nor disable triggers (ALTER TABLE … DISABLE TRIGGER, session_replication_role): the
#   append-only history tables stay append-only for it (config/append_only.py).
#
# To run it by hand against an existing server: POSTGRES_USER=postgres POSTGRES_DB=opp OPP_OWNER_PASSWORD=…
# OPP_APP_PASSWORD=… sh deploy/postgres/10-roles.sh (plus PGHOST etc. for psql).
set -eu

: "${OPP_OWNER_PASSWORD:?set OPP_OWNER_PASSWORD}"
: "${OPP_APP_PASSWORD:?set OPP_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner="${OPP_OWNER_ROLE:-opp_owner}" -v owner_password="$OPP_OWNER_PASSWORD" \
    -v app="${OPP_APP_ROLE:-opp_app}" -v app_password="$OPP_APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;

REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"owner", :"app";

-- Only the owner creates objects; the application only uses them.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the owner's migrations create is usable by the application, row by row.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
