// The pane registry: which component shows a conversation of each channel (one line per channel).
// Email and voice use the shell's read-only ThreadPane until their own panes are merged:
//   email: EmailPane (./email/EmailPane), voice: VoicePane (./voice/VoicePane).
import type { ComponentType } from "preact";
import type { PaneProps } from "../types";
import { ChatPane } from "./chat/ChatPane";
import { EmailPane } from "./email/EmailPane";
import { VoicePane } from "./voice/VoicePane";
import { ThreadPane } from "./ThreadPane";

export const PANES: Record<string, ComponentType<PaneProps>> = {
  chat: ChatPane,
  webchat: ChatPane,
  sms: ChatPane,
  whatsapp: ChatPane,
  messenger: ChatPane,
  telegram: ChatPane,
  social: ChatPane,
  email: EmailPane,
  voice: VoicePane,
};

export function paneFor(channel: string): ComponentType<PaneProps> {
  return PANES[channel] ?? ThreadPane;
}
