// markdown.test.mjs - release notes' Markdown to elements: the subset notes.c writes, and nothing becomes HTML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocks } from '../../web/src/lib/markdown.js';

// Elements as a compact markup string (text escaped), to compare with what is expected.
function show(node) {
	if (node === null || node === undefined || node === false)
		return '';
	if (Array.isArray(node))
		return node.map(show).join('');
	if (typeof node === 'string' || typeof node === 'number')
		return String(node).replace(/&/g, '&amp;').replace(/</g, '&lt;');
	const { children, ...attrs } = node.props;
	const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${v}"`).join('');
	return `<${node.type}${a}>${show(children)}</${node.type}>`;
}

const md = (text) => show(blocks(text));

test('headings, lists and paragraphs (headings start below the page title)', () => {
	assert.equal(md('# Release 1.2\n\n## Fixed\n\n- one\n- two\n\nThanks to Ada.'),
		'<h2>Release 1.2</h2><h3>Fixed</h3><ul><li>one</li><li>two</li></ul><p>Thanks to Ada.</p>');
});

test('inline: strong, code spans of any fence, links, escapes', () => {
	assert.equal(md('- **S-3** Dark mode (12 votes)'), '<ul><li><strong>S-3</strong> Dark mode (12 votes)</li></ul>');
	assert.equal(md('commit `abc123` and `` a`b ``'), '<p>commit <code>abc123</code> and <code>a`b</code></p>');
	assert.equal(md('[`0123456789`](https://git.example/c/0123456789)'),
		'<p><a href="https://git.example/c/0123456789" rel="noreferrer noopener"><code>0123456789</code></a></p>');
	// what notes.c escapes in testers' text comes out as typed
	assert.equal(md('a \\*not bold\\* \\[x\\] \\<b> beta\\_app \\&amp; \\`'), '<p>a *not bold* [x] &lt;b> beta_app &amp;amp; `</p>');
	assert.equal(md('snake_case_name stays'), '<p>snake_case_name stays</p>');
	assert.equal(md('*em* and _em_ and ~~gone~~'), '<p><em>em</em> and <em>em</em> and <del>gone</del></p>');
});

test('markup in the text stays text', () => {
	assert.equal(md('<script>alert(1)</script> <img src=x onerror=alert(1)>'),
		'<p>&lt;script>alert(1)&lt;/script> &lt;img src=x onerror=alert(1)></p>');
	const tree = blocks('<b>x</b>');
	assert.equal(tree[0].type, 'p');
	assert.equal(typeof tree[0].props.children[0], 'string');
});

test('only safe link targets', () => {
	assert.equal(md('[x](javascript:alert(1))'), '<p>x</p>');
	assert.equal(md('[x](data:text/html,hi)'), '<p>x</p>');
	assert.equal(md('[x](/p/demo/reports/R-1)'), '<p><a href="/p/demo/reports/R-1" rel="noreferrer noopener">x</a></p>');
	assert.equal(md('[x](mailto:a@example.org)'), '<p><a href="mailto:a@example.org" rel="noreferrer noopener">x</a></p>');
});

test('fenced code keeps its lines', () => {
	assert.equal(md('```\nint main(void)\n{ return 0; }\n```'), '<pre><code>int main(void)\n{ return 0; }</code></pre>');
});

test('nothing, or not a string, is an empty document', () => {
	assert.deepEqual(blocks(''), []);
	assert.deepEqual(blocks(null), []);
});
