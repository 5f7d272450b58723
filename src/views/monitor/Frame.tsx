import { Box, Text } from 'ink';
import { createContext, memo, useContext, useLayoutEffect } from 'react';
import { encodeRow, type Row } from '../text/row.js';

/** Where whole frames of rows can be drawn directly (the DiffScreen), bypassing Ink's text layout. */
export interface FrameSink {
  draw(rows: readonly Row[]): void;
}

export const FrameSinkContext = createContext<FrameSink | null>(null);

const Lines = memo(function Lines({ rows }: { readonly rows: readonly Row[] }) {
  return (
    <Box flexDirection="column">
      {rows.map((r, i) => (
        <Text key={i}>{encodeRow(r)}</Text>
      ))}
    </Box>
  );
});

/**
 * A whole screen of rows, each already cut to the width and styled.
 *
 * With a FrameSink (the real terminal), the rows go straight to it after
 * React commits: Ink's own text pipeline rebuilds a grid of styled cells from
 * every line on every frame (~35 ms for 8 GPUs and 200 processes here, see
 * `npm run bench`), while the sink compares the rows with the last frame's and
 * writes only the cells that changed. Without one (tests, ink-testing-library),
 * the same rows render as Ink <Text>, so `lastFrame()` shows them.
 */
export function Frame({ rows }: { readonly rows: readonly Row[] }) {
  const sink = useContext(FrameSinkContext);
  useLayoutEffect(() => {
    sink?.draw(rows);
  }, [sink, rows]);
  return sink ? null : <Lines rows={rows} />;
}
