// The emoji picker's small built-in set (no CDN, no font download).
export const EMOJI = ["😀", "😊", "🙂", "😉", "😅", "😂", "🙏", "👍", "👌", "👋", "🎉", "❤️", "✅", "❌", "⭐", "🔥",
  "🤔", "😢", "😮", "🙌", "📎", "📞", "📧", "⏰"];
