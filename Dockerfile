# FieldReport: the bot as a small image. The database lives on the /data volume.
#
# The base image is pinned by digest: python:3.11-slim (CPython 3.11.16 on Debian trixie) as
# published in late August 2026. Refresh it deliberately, as a dependency bump: the "Digest:" line
# of `docker buildx imagetools inspect python:3.11-slim` (or of `docker pull python:3.11-slim`).
# `make container-check` builds on a local stand-in instead (--build-arg BASE_IMAGE=…).
ARG BASE_IMAGE=python:3.11-slim@sha256:be1575ed968de893bd54f4c56315ff7c4736ce522c1bca08fd521731aafc0d76
FROM ${BASE_IMAGE}

# FIELDREPORT_IN_CONTAINER: the command line gives advice for `docker run`, not for a checkout.
# The runtime user's home is its own and writable: matplotlib keeps its font cache there.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DATABASE_PATH=/data/fieldreport.sqlite3 \
    FIELDREPORT_IN_CONTAINER=1 \
    HOME=/home/fieldreport \
    MPLCONFIGDIR=/home/fieldreport/.cache/matplotlib

RUN useradd --uid 10001 --user-group --create-home --home-dir /home/fieldreport \
        fieldreport \
    && mkdir -p /data && chown fieldreport:fieldreport /data && chmod 700 /data

WORKDIR /app

# The locked dependencies in their own layer, before any code: a change to the bot rebuilds only
# the layers below (about a second) instead of downloading and installing all of them again.
COPY requirements/run.lock requirements/run.lock
RUN pip install --require-hashes -r requirements/run.lock

# matplotlib's font cache, built now as the runtime user rather than at every start in /tmp.
USER fieldreport
RUN python -c "import matplotlib.font_manager" && test -n "$(ls "$MPLCONFIGDIR")"
USER root

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY locales ./locales

# The project itself, in place (the catalogs are found next to it), with no further dependency and
# built by the locked setuptools; then the catalogs. The bot's own bytecode is compiled here:
# PYTHONDONTWRITEBYTECODE (and a read-only /app) would otherwise make every start compile every
# module again (~0.2 s of a 0.5 s start).
RUN pip install --no-deps --no-build-isolation -e . \
    && pybabel compile -d locales -D bot --statistics \
    && python -m compileall -q bot storage

USER fieldreport
VOLUME ["/data"]
# Healthy while the bot takes updates (its polling loop or webhook server refreshes a sign of life
# beside the database) and the database is reachable and migrated: `python -m bot health`.
# buildah/podman keep this only when building with `--format docker` (OCI images have no
# HEALTHCHECK). `python -m bot health --ready` asks only about the database.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
