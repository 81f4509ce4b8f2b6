# zhengzhao: the OCR/validation/e-licence service on Debian 12 with CJK fonts.
# Build offline-capable: every model ships inside a Python wheel; nothing downloads at run time.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ORT_DISABLE_TELEMETRY=1 \
    ZZ_DATA_DIR=/var/lib/zhengzhao

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
 && mkdir -p /var/lib/zhengzhao && chown zhengzhao /var/lib/zhengzhao
USER zhengzhao

EXPOSE 8000
# The service on its embedded defaults, two web processes (about one per core); set ZZ_ENVIRONMENT=prod with real ZZ_KEY_PASSPHRASE and
# ZZ_SECRET_KEY, ZZ_DATABASE_URL for PostgreSQL and ZZ_JOBS_URL for Redis-backed workers.
CMD ["zhengzhao", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
