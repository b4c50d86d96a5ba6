// markdown.js - the Markdown subset release notes use, rendered to vnodes (never to HTML text).
//
// Blocks: "#".."######" headings, "- " / "* " list items, "```" fenced code, blank-line separated
// paragraphs. Inline: `code` spans (any run length), **strong**, *em* / _em_, ~~del~~,
// [text](url) links (http, https, relative and mailto only), backslash escapes. Anything else is
// text. All text goes through preact as text nodes, so no markup in the input can become HTML.
import { html } from './html.js';

const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function safeUrl(url) {
	const u = url.trim();
	if (/^(https?:|mailto:)/i.test(u) || u.startsWith('/') || u.startsWith('#'))
		return u;
	if (!/^[a-z][a-z0-9+.-]*:/i.test(u))
		return u; // relative
	return null; // javascript:, data: and the like
}

// Inline markup of one block's text into an array of strings and vnodes.
export function inline(text) {
	const out = [];
	let buf = '';
	const flush = () => {
		if (buf)
			out.push(buf);
		buf = '';
	};
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (c === '\\' && i + 1 < text.length && PUNCT.includes(text[i + 1])) {
			buf += text[i + 1];
			i += 2;
			continue;
		}
		if (c === '`') {
			let n = 0;
			while (text[i + n] === '`')
				n++;
			const fence = '`'.repeat(n);
			let j = text.indexOf(fence, i + n);
			while (j !== -1 && text[j + n] === '`')
				j = text.indexOf(fence, j + n + 1);
			if (j !== -1) {
				let code = text.slice(i + n, j);
				if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim())
					code = code.slice(1, -1);
				flush();
				out.push(html`<code>${code}</code>`);
				i = j + n;
				continue;
			}
			buf += fence;
			i += n;
			continue;
		}
		if ((c === '*' && text[i + 1] === '*') || (c === '~' && text[i + 1] === '~')) {
			const mark = c + c;
			const j = findClose(text, mark, i + 2);
			if (j > i + 2) {
				flush();
				const inner = inline(text.slice(i + 2, j));
				out.push(c === '*' ? html`<strong>${inner}</strong>` : html`<del>${inner}</del>`);
				i = j + 2;
				continue;
			}
		}
		if ((c === '*' || c === '_') && text[i + 1] && text[i + 1] !== ' ' &&
		    !(c === '_' && /\w/.test(text[i - 1] || ''))) {
			const j = findClose(text, c, i + 1);
			if (j > i + 1 && !(c === '_' && /\w/.test(text[j + 1] || ''))) {
				flush();
				out.push(html`<em>${inline(text.slice(i + 1, j))}</em>`);
				i = j + 1;
				continue;
			}
		}
		if (c === '[') {
			const close = findClose(text, ']', i + 1);
			if (close > i && text[close + 1] === '(') {
				const end = destinationEnd(text, close + 2);
				if (end !== -1) {
					const url = safeUrl(text.slice(close + 2, end));
					const label = inline(text.slice(i + 1, close));
					flush();
					out.push(url !== null ? html`<a href=${url} rel="noreferrer noopener">${label}</a>` : label);
					i = end + 1;
					continue;
				}
			}
		}
		buf += c;
		i++;
	}
	flush();
	return out;
}

// Index of the ')' that closes a link destination starting at `from` (balanced parentheses), or -1.
function destinationEnd(text, from) {
	let depth = 0;
	for (let i = from; i < text.length; i++) {
		if (text[i] === '\\')
			i++;
		else if (text[i] === '(')
			depth++;
		else if (text[i] === ')' && depth-- === 0)
			return i;
		else if (text[i] === ' ' || text[i] === '\n')
			return -1;
	}
	return -1;
}

// Index of the next unescaped `mark` from `from` outside code spans, or -1.
function findClose(text, mark, from) {
	for (let i = from; i < text.length; i++) {
		if (text[i] === '\\') {
			i++;
			continue;
		}
		if (text[i] === '`') {
			let n = 0;
			while (text[i + n] === '`')
				n++;
			const j = text.indexOf('`'.repeat(n), i + n);
			if (j !== -1) {
				i = j + n - 1;
				continue;
			}
		}
		if (text.startsWith(mark, i))
			return i;
	}
	return -1;
}

// The blocks of a document as vnodes.
export function blocks(text) {
	const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
	const out = [];
	let para = [];
	let list = null;
	const endPara = () => {
		if (para.length)
			out.push(html`<p>${inline(para.join(' '))}</p>`);
		para = [];
	};
	const endList = () => {
		if (list)
			out.push(html`<ul>${list.map((item) => html`<li>${inline(item)}</li>`)}</ul>`);
		list = null;
	};
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		let m;
		if (/^\s*```/.test(line)) {
			endPara();
			endList();
			const code = [];
			for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++)
				code.push(lines[i]);
			out.push(html`<pre><code>${code.join('\n')}</code></pre>`);
		} else if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
			endPara();
			endList();
			// Headings inside a page start below its own h1.
			const level = Math.min(6, m[1].length + 1);
			out.push(h(level, inline(m[2])));
		} else if ((m = /^\s*[-*+]\s+(.*)$/.exec(line))) {
			endPara();
			(list = list || []).push(m[1]);
		} else if (!line.trim()) {
			endPara();
			endList();
		} else if (list && /^\s{2,}\S/.test(line)) {
			list[list.length - 1] += ' ' + line.trim();
		} else {
			endList();
			para.push(line.trim());
		}
	}
	endPara();
	endList();
	return out;
}

function h(level, children) {
	switch (level) {
	case 2: return html`<h2>${children}</h2>`;
	case 3: return html`<h3>${children}</h3>`;
	case 4: return html`<h4>${children}</h4>`;
	case 5: return html`<h5>${children}</h5>`;
	default: return html`<h6>${children}</h6>`;
	}
}
