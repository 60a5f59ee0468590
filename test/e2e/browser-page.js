// The script of the page test/e2e/browser.test.ts serves on the instance's origin: it uses media from the media
// host the ways Mastodon's web UI does (an <img>, a <video crossorigin>, a fetch() read, a canvas read of an image)
// and says what each saw. Runs in Chromium, not in Node.
"use strict";

/** Resolves with what `work` reports, or "timeout" after `ms`. */
function settle(work, ms = 10000) {
  return new Promise((resolve) => {
    setTimeout(() => resolve("timeout"), ms);
    work(resolve);
  });
}

/** Each way the web UI uses media, by name; `useMedia` runs the ones asked for, in the order asked. */
const USES = {
  img: (image) =>
    settle((done) => {
      const element = document.createElement("img");
      element.onload = () => done(element.naturalWidth === 2 ? "loaded" : `width ${element.naturalWidth}`);
      element.onerror = () => done("error");
      element.src = image;
      document.body.append(element);
    }),
  video: (image, clip) =>
    settle((done) => {
      const element = document.createElement("video");
      element.crossOrigin = "anonymous";
      element.muted = true;
      element.preload = "auto";
      element.onloadeddata = () => done("loaded");
      element.onerror = () => done(`error ${element.error && element.error.code}`);
      element.src = clip;
      document.body.append(element);
    }),
  fetch: async (image) => {
    try {
      const answer = await fetch(image);
      const bytes = (await answer.arrayBuffer()).byteLength;
      return answer.ok ? `read ${bytes} bytes` : `status ${answer.status}`;
    } catch (error) {
      return `threw ${error.name}`;
    }
  },
  canvas: (image) =>
    settle((done) => {
      const element = new Image();
      element.crossOrigin = "anonymous";
      element.onload = () => {
        const surface = document.createElement("canvas");
        surface.width = 2;
        surface.height = 1;
        const paint = surface.getContext("2d");
        paint.drawImage(element, 0, 0);
        try {
          done(Array.from(paint.getImageData(0, 0, 2, 1).data).join(","));
        } catch (error) {
          done(`getImageData threw ${error.name}`);
        }
      };
      element.onerror = () => done("error");
      element.src = image;
    }),
};

window.useMedia = async function useMedia(image, clip, uses) {
  const seen = {};
  for (const use of uses) seen[use] = await USES[use](image, clip);
  return seen;
};

/** A short WebM recorded from a canvas (MediaRecorder), base64: a real video for the <video> check. */
window.recordVideo = async function recordVideo() {
  const canvas = document.createElement("canvas");
  canvas.width = 32;
  canvas.height = 32;
  const paint = canvas.getContext("2d");
  const recorder = new MediaRecorder(canvas.captureStream(10), { mimeType: "video/webm" });
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  for (let frame = 0; frame < 10; frame++) {
    paint.fillStyle = frame % 2 ? "#f00" : "#00f";
    paint.fillRect(0, 0, 32, 32);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks, { type: "video/webm" }).arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
};
