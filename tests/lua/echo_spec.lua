-- bots/echo.lua: every text comes back as it was sent.
describe('echo', function()
  it('answers a text with the same text', function()
    you.send('hello')
    assert.equals('hello', you.expect('^hello$'))
  end)

  it('answers each of several texts, in order', function()
    for _, t in ipairs({ 'one', 'two', 'three' }) do you.send(t) end
    you.expect('^one$')
    you.expect('^two$')
    you.expect('^three$')
  end)

  it('keeps unicode as it is', function()
    you.send('olá 👋 مرحبا')
    you.expect('^olá 👋 مرحبا$')
  end)
end)

describe('echo in a group', function()
  it('answers in the group, quoting the sender', function()
    local jid = you.group('echo friends')
    assert.matches('@g%.us$', jid)
    you.send('hello group')
    you.expect('^hello group$')
  end)
end)
