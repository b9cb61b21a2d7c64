# XGet: one image for every process (API, relay, projector, worker, sandbox).
#   docker build -t xget .
#   docker run --rm xget --help                 # the xget command line
# docker-compose.yml runs the whole stack from this image; see README.md, "Running with Docker".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package needs (pyproject.toml names README.md as its readme).
COPY pyproject.toml README.md ./
COPY xget ./xget
RUN pip install . \
    && useradd --system --create-home --uid 10001 xget

USER xget

# 8003 API; 8010 sandbox X; 8011 sandbox accounts; 8012/8013 sandbox proxies and forward proxy.
EXPOSE 8003 8010 8011 8012 8013

ENTRYPOINT ["xget"]
# The API needs XGET_AUTH_MODE=api_key, or XGET_ALLOW_INSECURE_BIND=true, to listen on 0.0.0.0.
CMD ["api", "--host", "0.0.0.0"]
