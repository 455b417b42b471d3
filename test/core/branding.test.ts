import { brandingInput, brandPalette, DEFAULT_BRANDING } from '../../src/core/branding';
import { checkBrandImage } from '../../src/core/branding-images';
import { contrastRatio, darkPrimaryProblems, MIN_CONTRAST } from '../../src/core/branding-colours';
import { parseInput } from '../../src/core/inputs';

const check = (change: object) => () =>
  parseInput(brandingInput, { ...DEFAULT_BRANDING, ...change }, 'branding');

describe('branding', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffff00', '#ffffff')).toBeCloseTo(1.07, 2);
  });

  it('refuses a primary colour that fails contrast, naming the ratio', () => {
    expect(check({ primaryColor: '#ffff00' })).toThrow(
      'primary colour #ffff00 on white has contrast 1.07:1; at least 4.5:1 is needed',
    );
    expect(check({ accentColor: '#ffcc00' })).toThrow(/accent colour #ffcc00 on white header text/);
    expect(check({ primaryColorDark: '#1f5fd1' })).toThrow(/dark-scheme primary colour/);
  });

  it('derives a dark-scheme primary colour that passes on the dark background', () => {
    const { dark } = brandPalette({ ...DEFAULT_BRANDING, primaryColor: '#7a1fa2' });
    expect(darkPrimaryProblems(dark.primary)).toEqual([]);
    expect(contrastRatio(dark.accent, '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('accepts only https logo URLs and http(s) or path links', () => {
    expect(check({ logo: { url: 'http://cdn.example.com/a.png' } })).toThrow(/https/);
    expect(check({ backUrl: 'javascript:alert(1)' })).toThrow(/http\(s\) URL or a path/);
    expect(check({ backUrl: '//evil.example' })).toThrow(/http\(s\) URL or a path/);
    expect(
      check({ backUrl: '/account', logo: { url: 'https://cdn.example.com/a.png' } }),
    ).not.toThrow();
  });

  it('reads image types from the bytes and refuses SVG, other files and large ones', () => {
    const pngHead = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    expect(checkBrandImage(new Uint8Array([...pngHead, 0]))).toBe('image/png');
    expect(checkBrandImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(checkBrandImage(Buffer.from('GIF89a....'))).toBe('image/gif');
    expect(checkBrandImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(() => checkBrandImage(Buffer.from('<svg><script>alert(1)</script></svg>'))).toThrow(
      /SVG images are not accepted/,
    );
    expect(() => checkBrandImage(Buffer.from('hello'))).toThrow(/PNG, JPEG, GIF or WebP/);
    expect(() =>
      checkBrandImage(new Uint8Array([...pngHead, ...new Uint8Array(300 * 1024)])),
    ).toThrow(/at most 256 KB/);
  });
});
