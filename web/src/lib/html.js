// html.js - the one place pages get preact and htm from: html`<div>${text}</div>` escapes text.
import { h, render, createContext, Fragment } from 'preact';
import { useState, useEffect, useMemo, useRef, useCallback, useContext } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { h, render, createContext, Fragment, useState, useEffect, useMemo, useRef, useCallback, useContext };
