// Mount points other areas of the desktop fill in (one line each at merge time: replace `null` by the
// imported component). The shell renders nothing (or its own fallback) while a slot is empty.
import { PhoneControls } from "./phone/PhoneControls";
import type { ComponentType } from "preact";
import type { PanelProps, TransferPickerProps } from "./types";
import { OutboundPanel } from "./outbound/OutboundPanel";
import { TransferPicker } from "./transfer/TransferPicker";

/** The browser phone's controls in the header: `import { PhoneControls } from "./phone/PhoneControls"`. */
export const PHONE_CONTROLS: ComponentType<PanelProps> | null = PhoneControls;

/** The outbound side panel (preview card, personal callbacks, manual dial): `./outbound/OutboundPanel`. */
export const OUTBOUND_PANEL: ComponentType<PanelProps> | null = OutboundPanel;

/** The transfer / consult picker with live availability: `./transfer/TransferPicker`; until then the
 * shell's own queue transfer (TransferFallback.tsx). */
export const TRANSFER_PICKER: ComponentType<TransferPickerProps> | null = TransferPicker;
