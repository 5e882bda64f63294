/** What the stream buffers hold process-wide, read at each scrape (mcp_stream_buffer_bytes). */
const streamMemories = new Set<{ readonly used: number }>();
export function observeStreamMemory(memory: { readonly used: number }): void {
  streamMemories.add(memory);
}
export function streamBufferBytes(): number {
  let total = 0;
  for (const m of streamMemories) total += m.used;
  return total;
}
