/* The camera of the offline verifier page (issue 14, item 2): the back camera's video, read
   live for a QR code with the browser's BarcodeDetector where it exists and reads QR codes,
   else with jsQR (npm) on the frame's pixels. The first code read is handed to ``onText`` and
   the camera is stopped. Nothing leaves the page. */
import jsQR from "jsqr";

const MAX_SIDE = 960; // frames are scaled down to this before jsQR (speed on phones)

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) {
    return null;
  }
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch (error) {
    return null;
  }
}

export function startCamera(video, onText, onState) {
  let stream = null;
  let stopped = false;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });

  function stop() {
    stopped = true;
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
    }
    video.srcObject = null;
    video.hidden = true;
    onState("stopped");
  }

  async function readFrame(detector) {
    if (video.readyState < 2 || !video.videoWidth) {
      return null;
    }
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }

  (async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false
      });
    } catch (error) {
      onState("denied");
      return;
    }
    if (stopped) {
      stop();
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => {});
    const detector = await nativeDetector();
    onState(detector ? "scanning-native" : "scanning-js");
    const tick = async () => {
      if (stopped) {
        return;
      }
      let text = null;
      try {
        text = await readFrame(detector);
      } catch (error) {
        text = null;
      }
      if (text) {
        stop();
        onText(text);
        return;
      }
      window.setTimeout(tick, 120);
    };
    tick();
  })();
  return { stop };
}
