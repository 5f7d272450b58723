// With CI set, Ink writes only the last frame; tests that read live frames need it unset.
delete process.env.CI;
// Tests decide about color themselves.
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;
