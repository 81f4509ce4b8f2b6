# zhengzhao: the OCR/validation/e-licence service on Debian 12 with CJK fonts.
# Build offline-capable: every model ships inside a Python wheel; nothing downloads at run time.
FROM python:3.11-slim-bookworm

# The image runs in production: it refuses to start on generated or short secrets, a demo PKI,
# the demo issuer, no ZZ_PUBLIC_URL, or a data dir others may read (config.invalid, see README
# "Running in production"). No secret is baked in; pass them at run time (an env file or a secret store):
#   ZZ_SECRET_KEY       >= 32 random characters, signs bearer tokens and session cookies
#                       (python -c 'import secrets; print(secrets.token_urlsafe(48))')
#   ZZ_KEY_PASSPHRASE   >= 32 random characters, encrypts the private keys in the data dir
#   ZZ_ISSUER_NAME, ZZ_ISSUER_NAME_EN, ZZ_ISSUER_CODE, ZZ_JURISDICTION_CODE: the office
#   ZZ_PUBLIC_URL       the service's public address: licence QR codes link to <it>/v#<token>
#   ZZ_TRUSTED_HOSTS    the host names the service answers to
# and make the office's PKI once, into the data volume, with the same environment:
#   docker run --rm --env-file zz.env -v zz-data:/var/lib/zhengzhao IMAGE zhengzhao keys init
# For a local trial on embedded defaults (generated secrets, demo PKI) run with
# -e ZZ_ENVIRONMENT=dev.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ORT_DISABLE_TELEMETRY=1 \
    ZZ_DATA_DIR=/var/lib/zhengzhao ZZ_ENVIRONMENT=prod

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-zenhei fonts-wqy-microhei \
      fonts-arphic-ukai fonts-arphic-uming fonts-dejavu-core poppler-utils libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
# mediapipe pulls opencv-contrib-python, which shares cv2/ with the headless build: put the
# headless build back on top, as scripts/setup.sh does.
RUN pip install --no-cache-dir -r requirements.lock \
 && pip install --no-cache-dir --no-deps --force-reinstall \
      "$(grep -E '^opencv-python-headless==' requirements.lock)"
COPY . .
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --home /var/lib/zhengzhao zhengzhao \
 && install -d -m 0700 -o zhengzhao /var/lib/zhengzhao
USER zhengzhao

EXPOSE 8000
# The service, two web processes (about one per core), in production (see above); add
# ZZ_DATABASE_URL for PostgreSQL and ZZ_JOBS_URL for Redis-backed workers.
CMD ["zhengzhao", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
