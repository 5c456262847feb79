// ovavel's additions to Label Studio's labelling page, served by the guard (ovavel_ls_guard.py) and
// loaded by every page of the toolkit's Label Studio. Label Studio's config can say none of these:
// 1. A clip smaller than the frame is enlarged to fill it (Label Studio draws a video at most at its
//    own size, so a 320x240 clip stayed 320x240 in a 360-px frame).
// 2. In the timeline view, the waveform is laid under the timeline's steps, so that a moment of the
//    audio and of the video sit one above the other, and the seconds 0..10 are written on the
//    timeline (Label Studio numbers its steps, five a second).
// 3. The waveform's height scale ("Audio zoom y-axis" in the audio settings) starts at the task's
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

  function alignTimeline() {
    var frames = document.querySelector(".lsf-timeline-frames");
    var audio = document.querySelector(".lsf-audio-tag");
    var store = window.Htx;
    var annotation = store && store.annotationStore && store.annotationStore.selected;
    var videoTag = annotation && annotation.names && annotation.names.get("video");
    var sources = document.querySelectorAll("body > video");
    var video = sources[sources.length - 1];
    if (!frames || !videoTag || !video || !video.duration) return;
    var style = getComputedStyle(frames);
    var size = parseFloat(style.getPropertyValue("--frame-size"));
    var offset = parseFloat(style.getPropertyValue("--offset"));
    var perSecond = Number(videoTag.framerate);
    if (!(size > 0) || !(offset >= 0) || !(perSecond > 0)) return;
    var box = frames.getBoundingClientRect();
    var step = size * perSecond; // px a second on the timeline
    var seconds = Math.round(video.duration);
    if (audio) {
      var left = box.left + offset - audio.parentElement.getBoundingClientRect().left;
      var width = Math.min(step * video.duration, box.width - offset);
      if (audio.style.marginLeft !== left + "px") audio.style.marginLeft = left + "px";
      if (audio.style.width !== width + "px") audio.style.width = width + "px";
    }
    var ruler = frames.querySelector(".ovavel-seconds");
    if (!ruler) {
      ruler = document.createElement("div");
      ruler.className = "ovavel-seconds";
      ruler.style.cssText = "position:absolute;left:0;top:0;height:14px;width:100%;pointer-events:none;z-index:5;" +
        "font:11px/14px sans-serif;color:#555";
      if (getComputedStyle(frames).position === "static") frames.style.position = "relative";
      frames.appendChild(ruler);
    }
    var key = [offset, step, seconds].join(",");
    if (ruler.dataset.key === key) return;
    ruler.dataset.key = key;
    ruler.textContent = "";
    for (var k = 0; k <= seconds; k++) {
      var mark = document.createElement("span");
      mark.textContent = k + (k === 0 ? " s" : "");
      mark.style.cssText = "position:absolute;top:0;left:" + (offset + k * step) + "px;border-left:1px solid #888;" +
        "padding-left:2px";
      ruler.appendChild(mark);
    }
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
    try { alignTimeline(); } catch (e) { /* not the timeline view */ }
    try { scaleWaveform(); } catch (e) { /* the waveform not drawn yet */ }
  }, 250);
})();
