// Inline SVG icons of the panes (no icon font or emoji: agents' machines may lack them); decorative only.
import type { JSX } from "preact";

function Svg(props: { children: JSX.Element | JSX.Element[] }) {
  return (
    <svg class="pn-svg" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"
      fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      {props.children}
    </svg>
  );
}

export const LinkIcon = () => (
  <Svg>
    <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" />
    <path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
  </Svg>
);

export const HangUpIcon = () => (
  <Svg>
    <path d="M3 15c5-5 13-5 18 0l-2.5 2.5-3-1.5v-3a11 11 0 0 0-7 0v3l-3 1.5z" />
  </Svg>
);

export const MicOffIcon = () => (
  <Svg>
    <path d="M2 2l20 20" />
    <path d="M9 9v3a3 3 0 0 0 5 2.2M15 10V5a3 3 0 0 0-5.7-1.3" />
    <path d="M19 12a7 7 0 0 1-1.2 3.9M5 12a7 7 0 0 0 11 5.7M12 19v3" />
  </Svg>
);

export const PauseIcon = () => (
  <Svg>
    <path d="M9 5v14M15 5v14" />
  </Svg>
);

export const RecordIcon = () => (
  <Svg>
    <circle cx="12" cy="12" r="6" />
  </Svg>
);

export const BulletsIcon = () => (
  <Svg>
    <path d="M9 6h11M9 12h11M9 18h11" />
    <circle cx="4.5" cy="6" r="1" />
    <circle cx="4.5" cy="12" r="1" />
    <circle cx="4.5" cy="18" r="1" />
  </Svg>
);

export const NumbersIcon = () => (
  <Svg>
    <path d="M10 6h10M10 12h10M10 18h10" />
    <path d="M4 4.5l1.5-.5v4M3.5 8h3" />
    <path d="M3.5 14.5a1.5 1.5 0 1 1 2.5 1.2L3.5 19h3" />
  </Svg>
);
