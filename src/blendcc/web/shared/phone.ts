// The browser phone: WebRTC to the server's bridge, signalled over the live socket (stream "phone"; the
// desktop's /ws/agent rings the agent's phone, the console's /ws/supervisor the supervisor's username, the
// phone a listen-in rings; docs/browser-phone.md). Client messages: phone.register / unregister / answer {call, sdp} /
// decline / hangup. Server messages: registered {ice_servers, calls}, ring, answer {sdp}, ended, cancelled,
// unavailable, error. The server never trickles ICE: the offer carries every candidate.

export type PhoneStatus = "off" | "starting" | "ready" | "unavailable";
/** The microphone problem shown to the agent: blocked by the browser, none plugged in, or another failure. */
export type MicError = "blocked" | "absent" | "failed" | null;
export type CallState = "ringing" | "connecting" | "talking";

export interface PhoneCall {
  id: string;
  contactId: string;
  caller: string | null;
  kind: string;
  state: CallState;
}

export interface MicDevice {
  deviceId: string;
  label: string;
}

export interface PhoneSnapshot {
  status: PhoneStatus;
  calls: PhoneCall[];
  muted: boolean;
  deviceId: string | null;
  devices: MicDevice[];
  micError: MicError;
  /** the last error message from the server (unknown call...) */
  error: string | null;
}

type Frame = Record<string, unknown>;
type Listener = (s: PhoneSnapshot) => void;

/** What the phone needs of the browser (replaced in tests). */
export interface PhoneEnv {
  media: MediaDevices | undefined;
  peer(config: RTCConfiguration): RTCPeerConnection;
  audio(): HTMLAudioElement;
  audioContext(): AudioContext | null;
}

export const browserEnv = (): PhoneEnv => ({
  media: typeof navigator !== "undefined" ? navigator.mediaDevices : undefined,
  peer: (config) => new RTCPeerConnection(config),
  audio: () => new Audio(),
  audioContext: () => (typeof AudioContext !== "undefined" ? new AudioContext() : null),
});

const GATHER_TIMEOUT_MS = 4000;
const DEVICE_KEY = "blendcc.desk.mic";

interface Leg {
  pc: RTCPeerConnection;
  audio: HTMLAudioElement;
  /** this offer's name: the server's answer carries it back (an answer to an older offer is ignored) */
  tag: string;
}

let offers = 0;

export function micErrorOf(err: unknown): MicError {
  const name = err instanceof Error || (err && typeof err === "object" && "name" in err)
    ? String((err as { name: unknown }).name) : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "blocked";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") return "absent";
  return "failed";
}

export class BrowserPhone {
  private state: PhoneSnapshot = {
    status: "off", calls: [], muted: false, deviceId: null, devices: [], micError: null, error: null,
  };
  private listeners = new Set<Listener>();
  private stream: MediaStream | null = null;
  private legs = new Map<string, Leg>();
  private iceServers: RTCIceServer[] = [];
  private analyser: AnalyserNode | null = null;
  private context: AudioContext | null = null;
  private samples: Uint8Array<ArrayBuffer> | null = null;

  constructor(private readonly send: (msg: Frame) => void, private readonly env: PhoneEnv = browserEnv()) {
    try {
      this.state.deviceId = localStorage.getItem(DEVICE_KEY);
    } catch {
      this.state.deviceId = null;
    }
  }

  get snapshot(): PhoneSnapshot {
    return this.state;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private update(patch: Partial<PhoneSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private setCall(id: string, patch: Partial<PhoneCall> | null): void {
    const calls = this.state.calls.filter((c) => c.id !== id);
    const old = this.state.calls.find((c) => c.id === id);
    if (patch) calls.push({ ...(old ?? { id, contactId: "", caller: null, kind: "agent", state: "ringing" }), ...patch });
    this.update({ calls });
  }

  /** Ask for the microphone (the chosen device, else the default), then register the phone. */
  async enable(deviceId: string | null = this.state.deviceId): Promise<boolean> {
    this.update({ status: "starting", micError: null });
    const ok = await this.openMic(deviceId);
    if (!ok) {
      this.update({ status: "off" });
      return false;
    }
    await this.refreshDevices();
    this.send({ type: "phone.register" });
    return true;
  }

  /** Stop the phone: the server stops ringing it; the microphone is released. */
  disable(): void {
    this.send({ type: "phone.unregister" });
    for (const id of [...this.legs.keys()]) this.dropLeg(id);
    this.stopMic();
    this.update({ status: "off", calls: [] });
  }

  private async openMic(deviceId: string | null): Promise<boolean> {
    const media = this.env.media;
    if (!media?.getUserMedia) {
      this.update({ micError: "absent" });
      return false;
    }
    let stream: MediaStream;
    try {
      const audio: MediaTrackConstraints | boolean = deviceId
        ? { deviceId: { exact: deviceId }, echoCancellation: true, noiseSuppression: true }
        : { echoCancellation: true, noiseSuppression: true };
      stream = await media.getUserMedia({ audio, video: false });
    } catch (err) {
      if (deviceId && micErrorOf(err) === "absent") return this.openMic(null); // the saved device is gone
      this.update({ micError: micErrorOf(err) });
      return false;
    }
    const track = stream.getAudioTracks()[0];
    if (!track) {
      this.update({ micError: "absent" });
      return false;
    }
    this.stopMic();
    this.stream = stream;
    track.enabled = !this.state.muted;
    track.addEventListener("ended", () => this.update({ micError: "absent" }));
    const chosen = track.getSettings?.().deviceId ?? deviceId;
    this.update({ micError: null, deviceId: chosen ?? null });
    this.meter(stream);
    for (const leg of this.legs.values()) {
      for (const sender of leg.pc.getSenders()) {
        if (sender.track?.kind === "audio" || sender.track === null) void sender.replaceTrack(track);
      }
    }
    return true;
  }

  private stopMic(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.analyser = null;
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private meter(stream: MediaStream): void {
    const ctx = this.env.audioContext();
    if (!ctx) return;
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
    this.context = ctx;
    this.analyser = analyser;
    this.samples = new Uint8Array(new ArrayBuffer(analyser.fftSize));
  }

  /** The microphone's input level now, 0..1 (RMS of the waveform), for the level meter. */
  level(): number {
    if (!this.analyser || !this.samples) return 0;
    this.analyser.getByteTimeDomainData(this.samples);
    let sum = 0;
    for (const v of this.samples) sum += ((v - 128) / 128) ** 2;
    return Math.min(1, Math.sqrt(sum / this.samples.length) * 3);
  }

  async refreshDevices(): Promise<MicDevice[]> {
    const media = this.env.media;
    if (!media?.enumerateDevices) return [];
    const all = await media.enumerateDevices();
    const devices = all.filter((d) => d.kind === "audioinput")
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `#${i + 1}` }));
    this.update({ devices });
    return devices;
  }

  /** Use another microphone (calls in progress switch to it). */
  async selectDevice(deviceId: string): Promise<void> {
    try {
      localStorage.setItem(DEVICE_KEY, deviceId);
    } catch {
      /* not remembered in private mode */
    }
    await this.openMic(deviceId);
  }

  setMuted(muted: boolean): void {
    this.stream?.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.update({ muted });
  }

  /** An incoming `phone` frame from the agent socket. */
  handle(msg: Frame): void {
    const call = typeof msg.call === "string" ? msg.call : null;
    switch (msg.type) {
      case "registered":
        this.registered(msg);
        break;
      case "ring":
        if (call) {
          this.setCall(call, {
            contactId: String(msg.contact_id ?? ""), caller: typeof msg.caller === "string" ? msg.caller : null,
            kind: String(msg.kind ?? "agent"), state: "ringing",
          });
        }
        break;
      case "answer":
        if (call) void this.answered(call, String(msg.sdp ?? ""), typeof msg.tag === "string" ? msg.tag : null);
        break;
      case "ended":
      case "cancelled":
        if (call) {
          this.dropLeg(call);
          this.setCall(call, null);
        }
        break;
      case "unavailable":
        this.stopMic();
        this.update({ status: "unavailable" });
        break;
      case "status":
        if (msg.available === false) this.update({ status: "unavailable" });
        break;
      case "error":
        this.update({ error: String(msg.message ?? "") });
        break;
    }
  }

  private registered(msg: Frame): void {
    const servers = Array.isArray(msg.ice_servers) ? (msg.ice_servers as RTCIceServer[]) : [];
    this.iceServers = servers;
    this.update({ status: "ready", error: null });
    const live = new Set<string>();
    for (const c of Array.isArray(msg.calls) ? (msg.calls as Frame[]) : []) {
      const id = String(c.call);
      live.add(id);
      if (c.state !== "confirmed") continue; // still ringing: the server rings again right after
      // a call in progress (this page reconnected, or was reloaded): re-offer on the same call id
      if (!this.state.calls.some((x) => x.id === id)) {
        this.setCall(id, { contactId: String(c.contact_id ?? ""), state: "connecting" });
      }
      void this.offer(id);
    }
    for (const c of this.state.calls) {
      if (!live.has(c.id)) { // ended while we were away
        this.dropLeg(c.id);
        this.setCall(c.id, null);
      }
    }
  }

  /** The socket came back (new snapshot): register again; calls still up are re-offered on `registered`.
   * A phone not turned on asks whether the centre rings browser phones at all. */
  reconnected(): void {
    if (this.state.status === "ready" || this.state.status === "starting") this.send({ type: "phone.register" });
    else if (this.state.status === "off") this.probe();
  }

  /** Ask the server whether this centre has browser phones (answer: `status {available}`). */
  probe(): void {
    this.send({ type: "phone.status" });
  }

  async answer(callId: string): Promise<void> {
    await this.offer(callId);
  }

  decline(callId: string): void {
    this.send({ type: "phone.decline", call: callId });
  }

  hangup(callId: string): void {
    this.send({ type: "phone.hangup", call: callId });
  }

  private async offer(callId: string): Promise<void> {
    if (!this.stream && !(await this.openMic(this.state.deviceId))) return;
    this.dropLeg(callId);
    const pc = this.env.peer({ iceServers: this.iceServers });
    const audio = this.env.audio();
    audio.autoplay = true;
    offers += 1;
    const tag = `o${offers}`;
    this.legs.set(callId, { pc, audio, tag });
    this.setCall(callId, { state: "connecting" });
    for (const track of this.stream?.getAudioTracks() ?? []) pc.addTrack(track, this.stream as MediaStream);
    pc.ontrack = (e) => {
      audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void audio.play().catch(() => undefined);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "connected") this.setCall(callId, { state: "talking" });
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const sdp = pc.localDescription?.sdp;
    if (sdp && this.legs.get(callId)?.pc === pc) this.send({ type: "phone.answer", call: callId, sdp, tag });
  }

  private async answered(callId: string, sdp: string, tag: string | null): Promise<void> {
    const leg = this.legs.get(callId);
    if (!leg || !sdp || (tag !== null && tag !== leg.tag)) return; // not the answer to our current offer
    try {
      await leg.pc.setRemoteDescription({ type: "answer", sdp });
    } catch (err) {
      this.update({ error: String(err) });
    }
  }

  private dropLeg(callId: string): void {
    const leg = this.legs.get(callId);
    if (!leg) return;
    this.legs.delete(callId);
    leg.pc.close();
    leg.audio.srcObject = null;
  }
}

/** Resolve once ICE gathering is complete (or after a few seconds: what was gathered goes). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener("icegatheringstatechange", check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}
