import { expect } from 'chai'
import { bookmarkManager } from '../../../lib/bookmarks/bookmark-manager.js'
import { ConfigurationError } from '../../../lib/errors.js'
import { SessionBookmarks } from '../../../lib/bookmarks/session-bookmarks.js'

describe('bookmarks: manager (official semantics)', () => {
  it('starts from initialBookmarks and replaces the used ones on update', async () => {
    const m = bookmarkManager({ initialBookmarks: ['a', 'b'] })
    expect([...await m.getBookmarks()]).to.deep.equal(['a', 'b'])
    await m.updateBookmarks(['a'], ['c'])
    expect([...await m.getBookmarks()].sort()).to.deep.equal(['b', 'c'])
  })

  it('merges the supplier into reads without storing them', async () => {
    const m = bookmarkManager({ initialBookmarks: ['a'], bookmarksSupplier: async () => ['x', 'a'] })
    expect([...await m.getBookmarks()].sort()).to.deep.equal(['a', 'x'])
    await m.updateBookmarks(['a'], ['b'])
    // 'a' left the manager's own set; the supplier still offers it.
    expect([...await m.getBookmarks()].sort()).to.deep.equal(['a', 'b', 'x'])
    const plain = bookmarkManager({ initialBookmarks: ['a'] })
    await plain.updateBookmarks(['a'], ['b'])
    expect([...await plain.getBookmarks()]).to.deep.equal(['b'])
  })

  it('tells the consumer the new set after each update (awaited)', async () => {
    const seen: string[][] = []
    const m = bookmarkManager({ bookmarksConsumer: async (bms) => { await new Promise(resolve => setTimeout(resolve, 5)); seen.push([...bms]) } })
    await m.updateBookmarks([], ['one'])
    await m.updateBookmarks(['one'], ['two'])
    expect(seen).to.deep.equal([['one'], ['two']])
  })

  it('validates its config', () => {
    expect(() => bookmarkManager({ initialBookmarks: 'abc' as unknown as string[] })).to.throw(ConfigurationError, /iterable/)
    expect(() => bookmarkManager({ bookmarksSupplier: 5 as never })).to.throw(ConfigurationError, /bookmarksSupplier/)
    expect(() => bookmarkManager({ initial: [] } as never)).to.throw(ConfigurationError, /unknown option 'initial'/)
  })
})

describe('bookmarks: session chaining', () => {
  it('sends own plus manager bookmarks and keeps only the newest after a commit', async () => {
    const m = bookmarkManager({ initialBookmarks: ['m1'] })
    const s = new SessionBookmarks(['own1', 'own1'], m)
    expect(s.last()).to.deep.equal(['own1'])
    const used = await s.current()
    expect(used.sort()).to.deep.equal(['m1', 'own1'])
    await s.committed(used, 'new')
    expect(s.last()).to.deep.equal(['new'])
    expect([...await m.getBookmarks()]).to.deep.equal(['new'])
  })

  it('a commit without a bookmark keeps the chain', async () => {
    const s = new SessionBookmarks(['b1'])
    await s.committed(['b1'], undefined)
    await s.committed(['b1'], '')
    expect(s.last()).to.deep.equal(['b1'])
    expect(await s.current()).to.deep.equal(['b1'])
  })

  it('two sessions sharing a manager see each other\'s commits', async () => {
    const m = bookmarkManager()
    const a = new SessionBookmarks([], m)
    const b = new SessionBookmarks([], m)
    await a.committed(await a.current(), 'from-a')
    expect(await b.current()).to.deep.equal(['from-a'])
    await b.committed(await b.current(), 'from-b')
    // b's commit replaced the bookmark it started from in the manager; a still holds its own.
    expect([...await m.getBookmarks()]).to.deep.equal(['from-b'])
    expect(await a.current()).to.deep.equal(['from-a', 'from-b'])
  })
})
