/* The ABI is header-only; this file gives the target a source. */
