// The search page: plain JavaScript against the REST/JSON API on this same address (no build step).
"use strict";

const $ = (id) => document.getElementById(id);
const maxClipBytes = 64 * 1024 * 1024;
let clip = null;        // the chosen File, kept in the browser; sent again for each preview, never stored by the server
let lastQuery = null;   // { kind: "clip" } or { kind: "video", id }

$("api-key").value = localStorage.getItem("vmnet-api-key") || "";
$("api-key").addEventListener("change", () => { localStorage.setItem("vmnet-api-key", $("api-key").value); listVideos(); });

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = $("api-key").value.trim();
  if (key) h["x-api-key"] = key;
  return h;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function status(text) { $("status").textContent = text || ""; }

// Errors arrive as {"code", "message"} (JSON transcoding and the upload endpoints alike).
async function failure(response) {
  try {
    const body = await response.json();
    return body.message || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status} ${response.statusText}`;
  }
}

function chooseFile(file) {
  showError("");
  if (!file) return;
  if (!file.type.startsWith("video/")) {
    clip = null;
    $("file-name").textContent = "No clip chosen";
    showError(`"${file.name}" is not a video file (${file.type || "unknown type"}).`);
    return;
  }
  if (file.size > maxClipBytes) {
    clip = null;
    showError(`"${file.name}" is ${(file.size / 1048576).toFixed(1)} MiB; clips may be at most 64 MiB.`);
    return;
  }
  clip = file;
  $("video-id").value = "";
  $("video-pick").value = "";
  $("file-name").textContent = `${file.name} (${(file.size / 1048576).toFixed(2)} MiB)`;
}

$("file").addEventListener("change", (e) => chooseFile(e.target.files[0]));
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); chooseFile(e.dataTransfer.files[0]); });

function filterParams() {
  const f = {};
  const num = (id) => { const v = $(id).value.trim(); return v === "" ? null : Number(v); };
  if (num("min-bpm") !== null) f.minTempoBpm = num("min-bpm");
  if (num("max-bpm") !== null) f.maxTempoBpm = num("max-bpm");
  if (num("min-dur") !== null) f.minDurationSeconds = num("min-dur");
  if (num("max-dur") !== null) f.maxDurationSeconds = num("max-dur");
  if ($("kind").value) f.kind = $("kind").value;
  // "mood=calm genre=rock": every label must match (the server refuses ones outside ingest's rules).
  const labels = $("labels").value.trim().split(/\s+/).filter((l) => l);
  if (labels.length) f.labels = labels;
  return f;
}

// The filter as query parameters of a GET route (nested fields by their JSON path; a list repeats its name).
function filterQuery(q, filter, prefix) {
  for (const [k, v] of Object.entries(filter)) {
    if (Array.isArray(v)) for (const item of v) q.append(prefix + k, item);
    else q.set(prefix + k, String(v));
  }
  return q;
}

async function search() {
  showError("");
  const videoId = $("video-id").value.trim();
  const topK = Number($("top-k").value) || 10;
  const filter = filterParams();
  let response;
  status("Searching…");
  $("search").disabled = true;
  try {
    if (videoId) {
      lastQuery = { kind: "video", id: videoId };
      response = await fetch("/v1/music:find", {
        method: "POST", headers: headers({ "content-type": "application/json" }),
        body: JSON.stringify({ mediaId: videoId, options: { topK, explain: true, filter } }),
      });
    } else if (clip) {
      lastQuery = { kind: "clip" };
      const q = new URLSearchParams({ topK: String(topK), explain: "true" });
      for (const [k, v] of Object.entries(filter)) {
        if (k === "labels") for (const l of v) q.append("label", l);
        else q.set(k, k === "kind" ? v.replace("MEDIA_KIND_", "") : String(v));
      }
      response = await fetch(`/v1/clips:findMusic?${q}`, { method: "POST", headers: headers({ "content-type": clip.type }), body: clip });
    } else {
      showError("Choose a video clip or enter a catalogue video id first.");
      status("");
      return;
    }
    if (!response.ok) {
      showError(await failure(response));
      status("");
      return;
    }
    render(await response.json(), "");
  } catch (e) {
    showError(`The server could not be reached (${e.message}).`);
    status("");
  } finally {
    $("search").disabled = false;
  }
}

async function moreLikeThis(trackId) {
  // Tracks near this track in the shared space (FindSimilar, music to music), the track itself left out.
  showError("");
  status("Finding similar tracks…");
  try {
    const q = new URLSearchParams({ modality: "MODALITY_MUSIC", "options.topK": String(Number($("top-k").value) || 10), "options.explain": "true" });
    filterQuery(q, filterParams(), "options.filter.");
    const music = await fetch(`/v1/media/${encodeURIComponent(trackId)}/similar?${q}`, { headers: headers() });
    if (!music.ok) { showError(await failure(music)); status(""); return; }
    render(await music.json(), `like ${trackId.slice(0, 8)}…`);
  } catch (e) {
    showError(`The server could not be reached (${e.message}).`);
    status("");
  }
}

// Explanation blocks as a person names them: the percussive part carries rhythm, the harmonic part harmony and timbre;
// video: "motion" (how much the picture changes), "picture" content and peaks; vectors after PCA have no named
// statistics, so their slices are "picture features a–b".
function readable(block) {
  const name = block.block || "";
  if (name.startsWith("percussive ")) return ["rhythm", name];
  if (name === "harmonic chroma") return ["harmony", "chroma"];
  if (name === "harmonic loudness") return ["dynamics", "loudness"];
  if (name.startsWith("harmonic ")) return ["timbre", name.slice(9)];
  if (name === "motion") return ["motion", "change over frames"];
  if (name === "picture content") return ["picture", "content"];
  if (name === "picture peaks") return ["picture", "strongest features"];
  const dims = /^video dims (\d+)-(\d+)$/.exec(name);
  if (dims) return ["picture", `features ${dims[1]}–${dims[2]}`];
  if (name.startsWith("video ")) return ["picture", name.slice(6)];
  return [name, ""];
}

function minutes(seconds) {
  const s = Math.round(seconds || 0);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function render(reply, note) {
  const list = $("results");
  list.textContent = "";
  $("results-title").hidden = false;
  $("results-title").textContent = `Tracks${note ? ` ${note}` : ""} — model ${reply.modelVersion}`;
  const matches = reply.matches || [];
  status(matches.length ? `${matches.length} tracks` : "No track passes these filters.");
  for (const m of matches) {
    const li = document.createElement("li");
    li.className = "match";
    li.dataset.mediaId = m.mediaId;
    const title = document.createElement("div");
    title.className = "title";
    if (m.title) {
      title.textContent = m.artist ? `${m.title} — ${m.artist}` : m.title;
    } else {
      title.innerHTML = `<span class="id"></span>`;
      title.firstChild.textContent = m.mediaId;
    }
    li.appendChild(title);
    const facts = document.createElement("div");
    facts.className = "facts";
    const tempo = m.tempoBpm !== undefined && m.tempoBpm !== null ? `${Math.round(m.tempoBpm)} BPM` : "tempo unknown";
    facts.textContent = `score ${Number(m.score).toFixed(3)} · ${tempo} · ${minutes(m.durationSeconds)}${m.album ? ` · ${m.album}` : ""}`;
    li.appendChild(facts);
    // Where the item came from and the platform's id for it (every value is text from ingest: textContent only).
    const about = [];
    if (m.source) about.push(`source ${m.source}`);
    if (m.externalId) about.push(`external id ${m.externalId}`);
    for (const [k, v] of Object.entries(m.labels || {})) about.push(`${k}: ${v}`);
    if (about.length) {
      const line = document.createElement("div");
      line.className = "about";
      line.textContent = about.join(" · ");
      li.appendChild(line);
    }
    const why = document.createElement("div");
    why.className = "why";
    for (const b of m.explanation || []) {
      const [family, detail] = readable(b);
      const chip = document.createElement("span");
      chip.className = `chip${b.contribution < 0 ? " against" : ""}`;
      chip.title = `${b.modality === "MODALITY_VIDEO" ? "clip" : "track"}: ${b.block}, contribution ${Number(b.contribution).toFixed(3)}`;
      chip.innerHTML = "<b></b> <span></span>";
      chip.firstChild.textContent = family;
      chip.lastChild.textContent = `${detail} (${b.modality === "MODALITY_VIDEO" ? "clip" : "track"}) ${b.contribution >= 0 ? "+" : ""}${Number(b.contribution).toFixed(2)}`;
      why.appendChild(chip);
    }
    li.appendChild(why);
    const preview = document.createElement("button");
    preview.className = "small preview-button";
    preview.textContent = "Preview on the picture";
    preview.addEventListener("click", () => renderPreview(m.mediaId));
    const more = document.createElement("button");
    more.className = "small more-button";
    more.textContent = "More like this";
    more.addEventListener("click", () => moreLikeThis(m.mediaId));
    li.append(preview, more);
    list.appendChild(li);
  }
}

async function renderPreview(trackId) {
  showError("");
  if (!lastQuery || (lastQuery.kind === "clip" && !clip)) {
    showError("Search with a clip or a catalogue video first.");
    return;
  }
  status("Rendering the preview…");
  try {
    const q = new URLSearchParams({ track: trackId });
    let response;
    if (lastQuery.kind === "video") {
      q.set("video", lastQuery.id);
      response = await fetch(`/v1/previews?${q}`, { method: "POST", headers: headers() });
    } else {
      response = await fetch(`/v1/previews?${q}`, { method: "POST", headers: headers({ "content-type": clip.type }), body: clip });
    }
    if (!response.ok) { showError(await failure(response)); status(""); return; }
    const info = JSON.parse(response.headers.get("x-preview-info") || "{}");
    const blob = await response.blob();
    const player = $("player");
    if (player.src) URL.revokeObjectURL(player.src);
    player.src = URL.createObjectURL(blob);
    $("preview-section").hidden = false;
    $("preview-info").textContent =
      `${trackId}: ${Number(info.videoSeconds).toFixed(2)} s from ${Number(info.trackStartSeconds).toFixed(2)} s of the track` +
      `${info.looped ? ", looped on bars" : ""}${info.tempoBpm ? `, ${Math.round(info.tempoBpm)} BPM` : ""}; the music ends on a beat at ${Number(info.musicSeconds).toFixed(2)} s.`;
    status("Preview ready");
  } catch (e) {
    showError(`The server could not be reached (${e.message}).`);
    status("");
  }
}

$("search").addEventListener("click", search);

// Catalogue videos to search with (pairs and video-only uploads that are ready), from ListMedia; one page of each kind.
const listPageSize = 100;

function itemName(item) {
  if (!item.title) return item.source || item.externalId || item.mediaId;
  return item.artist ? `${item.title} — ${item.artist}` : item.title;
}

async function listVideos() {
  const pick = $("video-pick");
  const items = [];
  let more = false;
  try {
    for (const kind of ["MEDIA_KIND_PAIR", "MEDIA_KIND_VIDEO"]) {
      const q = new URLSearchParams({ kind, status: "MEDIA_STATUS_READY", pageSize: String(listPageSize) });
      const response = await fetch(`/v1/media?${q}`, { headers: headers() });
      if (!response.ok) throw new Error(await failure(response));
      const page = await response.json();
      items.push(...(page.items || []));
      more = more || !!page.nextPageToken;
    }
  } catch (e) {
    pick.length = 1;
    pick.options[0].textContent = `catalogue videos unavailable (${e.message})`;
    return;
  }
  items.sort((a, b) => itemName(a).localeCompare(itemName(b)));
  pick.length = 1;
  pick.options[0].textContent = items.length ? `pick a catalogue video (${items.length}${more ? "+" : ""})…` : "no catalogue video is ready yet";
  for (const item of items) {
    const option = document.createElement("option");
    option.value = item.mediaId;
    option.textContent = `${itemName(item)}${item.externalId ? ` [${item.externalId}]` : ""} · ${minutes(item.durationSeconds)}`;
    pick.appendChild(option);
  }
  if (more) {
    const option = document.createElement("option");
    option.disabled = true;
    option.textContent = "… more in the catalogue: enter a media id";
    pick.appendChild(option);
  }
}

$("video-pick").addEventListener("change", () => {
  if (!$("video-pick").value) return;
  $("video-id").value = $("video-pick").value;
  clip = null;
  $("file-name").textContent = "No clip chosen";
});

listVideos();

// The live model: a watch stream (JSON objects as they come), re-opened after a drop; a poll if streaming fails.
function showModel(info) {
  $("model-version").textContent = info.liveVersion || "none yet";
  $("model-note").textContent = info.liveVersion ? "" : "(search answers once a model is live)";
}

async function watchModel() {
  for (;;) {
    try {
      const response = await fetch("/v1/model:watch", { headers: headers() });
      if (!response.ok || !response.body) throw new Error(await failure(response));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let text = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        // Each message is one JSON object; take every complete one.
        let depth = 0, start = -1, inString = false, escaped = false;
        let consumed = 0;
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (inString) { if (escaped) escaped = false; else if (c === "\\") escaped = true; else if (c === "\"") inString = false; continue; }
          if (c === "\"") inString = true;
          else if (c === "{") { if (depth++ === 0) start = i; }
          else if (c === "}" && --depth === 0) { showModel(JSON.parse(text.slice(start, i + 1))); consumed = i + 1; }
        }
        text = text.slice(consumed);
      }
    } catch {
      try {
        const r = await fetch("/v1/model", { headers: headers() });
        if (r.ok) showModel(await r.json());
      } catch { /* the server is away; try again below */ }
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

watchModel();
