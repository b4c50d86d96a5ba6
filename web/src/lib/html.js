// html.js - the one place pages get preact and htm from: html`<div>${text}</div>` escapes text.
import { h, render, createContext, Fragment } from 'preact';
import { useState, useEffect, useLayoutEffect, useMemo, useRef, useCallback, useContext } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { h, render, createContext, Fragment, useState, useEffect, useLayoutEffect, useMemo, useRef, useCallback, useContext };

// State that follows a value (a form's draft reset when its item reloads): useFollow(reset, deps)
// resets in the same commit as the render, never after the next paint, so nothing a person (or a
// test) types between the two is overwritten.
export function useFollow(reset, deps) {
	useLayoutEffect(reset, deps);
}
