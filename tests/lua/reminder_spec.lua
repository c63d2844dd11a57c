-- bots/reminder.lua: `!remind 1s text` comes back when the time has come.
describe('reminder', function()
  it('confirms, then reminds when the time has come', function()
    you.send('!remind 1s stretch')
    you.expect('^OK, in 1s%.$')
    you.expectNothing(500)
    you.expect('^⏰ stretch$', 3000)
  end)

  it('explains its usage', function()
    you.send('!remind soon')
    you.expect('^usage: !remind 10m text')
  end)
end)
