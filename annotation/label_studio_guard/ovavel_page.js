// ovavel's additions to Label Studio's labelling page, served by the guard (ovavel_ls_guard.py) and
// loaded by every page of the toolkit's Label Studio. Label Studio's config cannot say either:
// 1. A clip smaller than the frame is enlarged to fill it (Label Studio draws a video at most at its
//    own size, so a 320x240 clip stayed 320x240 in a 360-px frame).
// 2. The waveform's height scale ("Audio zoom y-axis" in the audio settings) starts at the task's
//    `amp`, chosen at export from the clip's loudness, so a quiet clip still shows a waveform.
(function () {
  "use strict";

  function fitVideo() {
    var sources = document.querySelectorAll("body > video"); // Label Studio's hidden source of the frames
    var video = sources[sources.length - 1];
    var view = document.querySelector(".lsf-video-canvas__view");
    var canvas = view && view.querySelector("canvas");
    if (!video || !canvas || !video.videoWidth || !video.videoHeight) return;
    var w = view.clientWidth, h = view.clientHeight;
    var drawn = Math.min(1, w / video.videoWidth, h / video.videoHeight); // Label Studio's own scale
    var fill = Math.min(w / (video.videoWidth * drawn), h / (video.videoHeight * drawn));
    var transform = fill > 1.01 ? "scale(" + fill.toFixed(4) + ")" : "";
    if (canvas.style.transform !== transform) canvas.style.transform = transform;
    canvas.dataset.ovavelScale = fill > 1.01 ? fill.toFixed(4) : "1";
    view.style.overflow = "hidden";
  }

  function scaleWaveform() {
    var store = window.Htx;
    var annotation = store && store.annotationStore && store.annotationStore.selected;
    var audio = annotation && annotation.names && annotation.names.get("audio");
    var data = store && store.task && store.task.dataObj;
    var amp = Number(data && data.amp);
    if (!audio || !audio._ws || !(amp > 1) || audio._ws.ovavelAmp === amp) return;
    audio._ws.amp = amp;
    audio._ws.ovavelAmp = amp;
  }

  setInterval(function () {
    try { fitVideo(); } catch (e) { /* a page without a video */ }
    try { scaleWaveform(); } catch (e) { /* the waveform not drawn yet */ }
  }, 250);
})();
