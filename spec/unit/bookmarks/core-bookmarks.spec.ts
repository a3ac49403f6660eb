// coreBookmarks must give what core's own Bookmarks gives for any values, and
// give the last one made again only for the very same values.
import { expect } from 'chai'
import fc from 'fast-check'
import { internal } from 'neo4j-driver-core'
import { coreBookmarks } from '../../../lib/bookmarks/core-bookmarks.js'

const { Bookmarks } = internal.bookmarks

describe('bookmarks: core Bookmarks for BEGIN and RUN', () => {
  it('gives the values core gives, for any sequence of bookmark lists', () => {
    const bookmark = fc.constantFrom('FB:a', 'FB:b', 'FB:c', '')
    fc.assert(fc.property(fc.array(fc.array(bookmark, { maxLength: 4 }), { maxLength: 8 }), (lists) => {
      for (const values of lists) expect(coreBookmarks(values).values()).to.deep.equal(new Bookmarks(values).values())
    }), { numRuns: 300 })
  })

  it('the same values give the same Bookmarks; other values, or the same ones in another order, a new one', () => {
    const first = coreBookmarks(['FB:1', 'FB:2'])
    expect(coreBookmarks(['FB:1', 'FB:2'])).to.equal(first)
    const swapped = coreBookmarks(['FB:2', 'FB:1'])
    expect(swapped).to.not.equal(first)
    expect(swapped.values()).to.deep.equal(['FB:2', 'FB:1'])
    expect(coreBookmarks([]).isEmpty()).to.equal(true)
  })

  it('is not fooled by a list changed after the call, nor by a value that is not a string', () => {
    const values = ['FB:x']
    const made = coreBookmarks(values)
    values[0] = 'FB:y'
    const again = coreBookmarks(values)
    expect(again).to.not.equal(made)
    expect(again.values()).to.deep.equal(['FB:y'])
    expect(() => coreBookmarks([42 as unknown as string])).to.throw(TypeError)
    expect(coreBookmarks(['FB:y'])).to.equal(again)
  })
})
