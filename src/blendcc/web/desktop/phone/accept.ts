// The shell's "accept" of a voice offer the browser phone is ringing for answers the phone (the media must
// come up in the page) instead of POST /accept: the voice service accepts the offer when the phone answers.
type Answerer = (contactId: string) => boolean;

const answerers = new Set<Answerer>();

/** Registered by the phone while mounted; returns the unregister function. */
export function onAcceptVoice(fn: Answerer): () => void {
  answerers.add(fn);
  return () => answerers.delete(fn);
}

/** True when a browser phone took the accept (it was ringing for this contact). */
export function answerByPhone(contactId: string): boolean {
  for (const fn of answerers) if (fn(contactId)) return true;
  return false;
}
