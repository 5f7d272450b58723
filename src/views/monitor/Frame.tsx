import { Box, Text } from 'ink';
import { createContext, memo, useContext, useLayoutEffect } from 'react';

/** Where whole frames can be drawn directly (the DiffScreen), bypassing Ink's text layout. */
export interface FrameSink {
  draw(lines: readonly string[]): void;
}

export const FrameSinkContext = createContext<FrameSink | null>(null);

const Lines = memo(function Lines({ lines }: { readonly lines: readonly string[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i}>{l}</Text>
      ))}
    </Box>
  );
});

/**
 * A whole screen of lines, each already cut to the width and colored.
 *
 * With a FrameSink (the real terminal), the lines go straight to it after
 * React commits: Ink's own text pipeline rebuilds a grid of styled cells from
 * every line on every frame (~35 ms for 8 GPUs and 200 processes here, see
 * `npm run bench`), while the sink compares with the last frame and parses
 * only the lines that changed. Without one (tests, ink-testing-library), the
 * same lines render as Ink <Text>, so `lastFrame()` shows them.
 */
export function Frame({ lines }: { readonly lines: readonly string[] }) {
  const sink = useContext(FrameSinkContext);
  useLayoutEffect(() => {
    sink?.draw(lines);
  }, [sink, lines]);
  return sink ? null : <Lines lines={lines} />;
}
